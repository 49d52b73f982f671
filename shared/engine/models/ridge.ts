// Ridge regression for several outputs at once, each output with its own penalty chosen by exact
// leave-one-out error or generalized cross-validation, both read off one SVD of the centred inputs
// (Golub, Heath & Wahba 1979; Hastie, Tibshirani & Friedman 2009, §7.10). The intercept is not
// penalized. Uncertainty is the Bayesian reading of ridge: β ~ N(0, σ²/λ I), noise N(0, σ²).
import { type Matrix, assertFinite, createMatrix } from './matrix.ts';
import { thinSvd } from './linalg.ts';
import type { FitOptions, ModelFactory, Prediction, Predictor, SerializedModel } from './types.ts';

export type PenaltyCriterion = 'loo' | 'gcv';

export interface RidgeOptions {
  /** A fixed penalty λ, or the criterion that chooses one per output (default 'loo'). */
  readonly penalty?: number | PenaltyCriterion;
}

export interface RidgeState extends SerializedModel {
  readonly kind: 'ridge';
  readonly version: 1;
  readonly inputs: number;
  readonly outputs: number;
  readonly rows: number;
  readonly inputMean: number[];
  /** inputs × outputs, row-major. */
  readonly coefficients: number[];
  readonly intercept: number[];
  readonly penalty: number[];
  readonly noiseVariance: number[];
  readonly singularValues: number[];
  /** inputs × rank, row-major: the right singular vectors of the centred training inputs. */
  readonly rightSingularVectors: number[];
}

export interface RidgePredictor extends Predictor<RidgeState> {
  readonly kind: 'ridge';
  /** Chosen penalty per output. */
  readonly penalty: readonly number[];
  readonly coefficients: Matrix;
  readonly intercept: readonly number[];
}

export function fitRidge(x: Matrix, y: Matrix, options: RidgeOptions = {}): RidgePredictor {
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  if (y.rows !== n) throw new RangeError('Inputs and targets must have the same number of rows');
  if (n < 2) throw new RangeError('Ridge regression needs at least two rows');
  assertFinite(x, 'Inputs');
  assertFinite(y, 'Targets');
  const { penalty = 'loo' } = options;
  if (typeof penalty === 'number' && !(penalty > 0)) throw new RangeError('A fixed penalty must be positive');

  const inputMean = columnMeans(x);
  const targetMean = columnMeans(y);
  const centred = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) centred[i * p + j] = x.data[i * p + j] - inputMean[j];
  const { u, s, v, rank } = thinSvd(centred, n, p);

  // 1 − h_ii = (1 − 1/n − Σ_r U_ir²) + Σ_r U_ir² λ/(s_r² + λ): the first part is the share of row i
  // outside the column space, computed once and clamped at zero against rounding.
  const outside = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let inside = 1 / n;
    for (let r = 0; r < rank; r++) inside += u[i * rank + r] ** 2;
    outside[i] = Math.max(0, 1 - inside);
  }

  const coefficients = createMatrix(p, q);
  const intercept = new Array<number>(q);
  const penalties = new Array<number>(q);
  const noiseVariance = new Array<number>(q);
  const yc = new Float64Array(n);
  const projected = new Float64Array(rank);
  for (let o = 0; o < q; o++) {
    for (let i = 0; i < n; i++) yc[i] = y.data[i * q + o] - targetMean[o];
    projected.fill(0);
    for (let i = 0; i < n; i++) for (let r = 0; r < rank; r++) projected[r] += u[i * rank + r] * yc[i];
    const problem: PenaltyProblem = { n, rank, u, s, yc, projected, outside };
    const lambda = typeof penalty === 'number' ? penalty : choosePenalty(problem, penalty);
    penalties[o] = lambda;
    const fit = residualsFor(problem, lambda);
    let rss = 0;
    for (let i = 0; i < n; i++) rss += fit.residuals[i] ** 2;
    const dof = n - fit.effectiveParameters;
    noiseVariance[o] = dof >= 1 ? rss / dof : looError(problem, lambda);
    let interceptO = targetMean[o];
    for (let j = 0; j < p; j++) {
      let beta = 0;
      for (let r = 0; r < rank; r++) beta += (v[j * rank + r] * s[r] * projected[r]) / (s[r] * s[r] + lambda);
      coefficients.data[j * q + o] = beta;
      interceptO -= beta * inputMean[j];
    }
    intercept[o] = interceptO;
  }
  return makeRidgePredictor({
    kind: 'ridge',
    version: 1,
    inputs: p,
    outputs: q,
    rows: n,
    inputMean: Array.from(inputMean),
    coefficients: Array.from(coefficients.data),
    intercept,
    penalty: penalties,
    noiseVariance,
    singularValues: Array.from(s),
    rightSingularVectors: Array.from(v),
  });
}

export function ridgeFromJSON(state: RidgeState): RidgePredictor {
  if (state.kind !== 'ridge' || state.version !== 1) throw new RangeError('Not a ridge model (version 1)');
  const { inputs: p, outputs: q } = state;
  const rank = state.singularValues.length;
  const lengthsOk =
    state.inputMean.length === p &&
    state.coefficients.length === p * q &&
    state.intercept.length === q &&
    state.penalty.length === q &&
    state.noiseVariance.length === q &&
    state.rightSingularVectors.length === p * rank;
  if (!lengthsOk) throw new RangeError('Ridge model state has inconsistent array lengths');
  return makeRidgePredictor(state);
}

export function ridgeFactory(options: RidgeOptions = {}): ModelFactory {
  return {
    name: 'ridge',
    fit: (x: Matrix, y: Matrix, fitOptions: FitOptions = {}) => {
      fitOptions.signal?.throwIfAborted();
      const model = fitRidge(x, y, options);
      fitOptions.onProgress?.(1);
      return model;
    },
  };
}

/**
 * Leave-one-out residuals y_i − ŷ_(−i) of ridge with a fixed penalty per output, from one fit:
 * e_i / (1 − h_ii), exact for ridge (Allen 1974). rows × outputs.
 */
export function ridgeLeaveOneOutResiduals(x: Matrix, y: Matrix, penalty: number): Matrix {
  const model = fitRidge(x, y, { penalty });
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  const { inputMean, singularValues: s, rightSingularVectors: v } = model.toJSON();
  const rank = s.length;
  const fitted = model.predict(x).mean;
  const out = createMatrix(n, q);
  for (let i = 0; i < n; i++) {
    // h_ii = 1/n + Σ_r (v_rᵀ x_c)² / (s_r² + λ), the same leverage the predictor uses.
    let leverage = 1 / n;
    for (let r = 0; r < rank; r++) {
      let a = 0;
      for (let j = 0; j < p; j++) a += v[j * rank + r] * (x.data[i * p + j] - inputMean[j]);
      leverage += (a * a) / (s[r] * s[r] + penalty);
    }
    for (let o = 0; o < q; o++) out.data[i * q + o] = (y.data[i * q + o] - fitted.data[i * q + o]) / (1 - leverage);
  }
  return out;
}

function makeRidgePredictor(state: RidgeState): RidgePredictor {
  const { inputs: p, outputs: q, rows: n } = state;
  const rank = state.singularValues.length;
  const coefficients = createMatrix(p, q, Float64Array.from(state.coefficients));
  const v = Float64Array.from(state.rightSingularVectors);
  const s2 = state.singularValues.map((s) => s * s);
  return {
    kind: 'ridge',
    inputs: p,
    outputs: q,
    penalty: state.penalty,
    coefficients,
    intercept: state.intercept,
    toJSON: () => state,
    predict(x: Matrix): Prediction {
      if (x.cols !== p) throw new RangeError(`Expected ${p} input columns, got ${x.cols}`);
      const m = x.rows;
      const mean = createMatrix(m, q);
      const std = createMatrix(m, q);
      const stdLatent = createMatrix(m, q);
      const xc = new Float64Array(p);
      const along = new Float64Array(rank);
      for (let i = 0; i < m; i++) {
        let norm2 = 0;
        for (let j = 0; j < p; j++) {
          xc[j] = x.data[i * p + j] - state.inputMean[j];
          norm2 += xc[j] * xc[j];
        }
        let inSpan = 0;
        for (let r = 0; r < rank; r++) {
          let a = 0;
          for (let j = 0; j < p; j++) a += v[j * rank + r] * xc[j];
          along[r] = a;
          inSpan += a * a;
        }
        // The part of x outside the span of the training inputs is constrained by the prior only.
        const outsideSpan = rank < p ? Math.max(0, norm2 - inSpan) : 0;
        for (let o = 0; o < q; o++) {
          let value = state.intercept[o];
          for (let j = 0; j < p; j++) value += x.data[i * p + j] * coefficients.data[j * q + o];
          const lambda = state.penalty[o];
          let leverage = 1 / n + outsideSpan / lambda;
          for (let r = 0; r < rank; r++) leverage += (along[r] * along[r]) / (s2[r] + lambda);
          const latent = state.noiseVariance[o] * leverage;
          mean.data[i * q + o] = value;
          stdLatent.data[i * q + o] = Math.sqrt(latent);
          std.data[i * q + o] = Math.sqrt(latent + state.noiseVariance[o]);
        }
      }
      return { mean, std, stdLatent };
    },
  };
}

interface PenaltyProblem {
  readonly n: number;
  readonly rank: number;
  readonly u: Float64Array;
  readonly s: Float64Array;
  readonly yc: Float64Array;
  readonly projected: Float64Array;
  readonly outside: Float64Array;
}

interface RidgeResiduals {
  readonly residuals: Float64Array;
  /** 1 − h_ii per row. */
  readonly complement: Float64Array;
  /** tr(H), the intercept included. */
  readonly effectiveParameters: number;
}

function residualsFor(problem: PenaltyProblem, lambda: number): RidgeResiduals {
  const { n, rank, u, s, yc, projected, outside } = problem;
  const shrunk = new Float64Array(rank);
  const kept = new Float64Array(rank);
  let effectiveParameters = 1;
  for (let r = 0; r < rank; r++) {
    const s2 = s[r] * s[r];
    shrunk[r] = (s2 / (s2 + lambda)) * projected[r];
    kept[r] = lambda / (s2 + lambda);
    effectiveParameters += s2 / (s2 + lambda);
  }
  const residuals = new Float64Array(n);
  const complement = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    let c = outside[i];
    for (let r = 0; r < rank; r++) {
      const uir = u[i * rank + r];
      fitted += uir * shrunk[r];
      c += uir * uir * kept[r];
    }
    residuals[i] = yc[i] - fitted;
    complement[i] = c;
  }
  return { residuals, complement, effectiveParameters };
}

/** Mean squared leave-one-out residual e_i / (1 − h_ii): exact for a linear smoother. */
function looError(problem: PenaltyProblem, lambda: number): number {
  const { residuals, complement } = residualsFor(problem, lambda);
  let sum = 0;
  for (let i = 0; i < problem.n; i++) {
    if (complement[i] < 1e-12) return Infinity;
    sum += (residuals[i] / complement[i]) ** 2;
  }
  return sum / problem.n;
}

function gcvError(problem: PenaltyProblem, lambda: number): number {
  const { residuals, effectiveParameters } = residualsFor(problem, lambda);
  const denominator = 1 - effectiveParameters / problem.n;
  if (denominator < 1e-12) return Infinity;
  let sum = 0;
  for (let i = 0; i < problem.n; i++) sum += residuals[i] ** 2;
  return sum / problem.n / (denominator * denominator);
}

/** Grid over log λ from 10⁻¹⁰ to 10³ times the largest s², then a golden-section refinement. */
function choosePenalty(problem: PenaltyProblem, criterion: PenaltyCriterion): number {
  const score = (logLambda: number): number => {
    const lambda = Math.exp(logLambda);
    return criterion === 'loo' ? looError(problem, lambda) : gcvError(problem, lambda);
  };
  const top = problem.rank > 0 ? problem.s[0] * problem.s[0] : 1;
  const low = Math.log(top * 1e-10);
  const high = Math.log(top * 1e3);
  const count = 66;
  const step = (high - low) / (count - 1);
  let best = 0;
  let bestScore = Infinity;
  for (let k = 0; k < count; k++) {
    const value = score(low + k * step);
    if (value < bestScore) {
      bestScore = value;
      best = k;
    }
  }
  if (!Number.isFinite(bestScore)) return Math.exp(high);
  let a = low + Math.max(0, best - 1) * step;
  let b = low + Math.min(count - 1, best + 1) * step;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = score(c);
  let fd = score(d);
  for (let iteration = 0; iteration < 40; iteration++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = score(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = score(d);
    }
  }
  const refined = fc <= fd ? c : d;
  return Math.exp(Math.min(fc, fd) <= bestScore ? refined : low + best * step);
}

function columnMeans(m: Matrix): Float64Array {
  const means = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) means[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) means[j] /= m.rows;
  return means;
}
