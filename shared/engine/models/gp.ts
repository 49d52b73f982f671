// Gaussian-process regression, one independent GP per output (Rasmussen & Williams 2006, ch. 2
// and 5): constant mean (targets are standardized inside the fit), an RBF or Matérn 5/2 kernel
// with one length-scale per input (ARD) or a shared one, a signal variance, a noise variance and
// optionally a linear kernel σ_lin² xᵀx' (Bayesian linear regression inside the GP, so that the
// stationary kernel only has to model what a plane cannot).
// Hyperparameters maximize the log marginal likelihood with its analytic gradient,
// ½ tr((ααᵀ − K⁻¹) ∂K/∂θ), by L-BFGS from several seeded starts. With many rows the starts are
// explored on a seeded subset and only the best is refined on all rows: the optimum moves little
// with the subset, and each full evaluation costs O(n³).
// The linear algebra runs on injectable kernels (GpKernels): the plain TypeScript below is the
// reference, and shared/engine/kernels/wasm-gp.ts the fast path on our wasm module.
import { type CovarianceKind, lengthScaleFactor, unitCovariance } from './covariance.ts';
import {
  type JitteredCholesky,
  choleskySolveInPlace,
  choleskyWithJitter,
  halfLogDeterminant,
  inverseFromCholesky,
  solveLowerManyInPlace,
} from './linalg.ts';
import { type Matrix, assertFinite, column, createMatrix, selectRows } from './matrix.ts';
import { minimizeBounded } from './optimizer.ts';
import { createRng, deriveSeed } from './rng.ts';
import type { GpFitPool } from '../kernels/parallel-gp.ts';
import type { FitJob, FitOptions, ManyFitOptions, ModelFactory, Prediction, Predictor, SerializedModel } from './types.ts';

export interface GpOptions {
  readonly kernel?: CovarianceKind;
  /** One length-scale per input (default) or one shared by all. */
  readonly ard?: boolean;
  /** Add a linear kernel σ_lin² xᵀx' to the stationary one (default false). */
  readonly linear?: boolean;
  /** Random starts besides the default one (default 4). */
  readonly restarts?: number;
  /** Above about this many rows, starts are explored on a random subset of this size (default 256). */
  readonly subsetSize?: number;
  /** Noise variance in standardized-target units: fixed, or bounds for its fit (default 1e-6 to 10). */
  readonly noise?: number | { readonly lower: number; readonly upper: number };
  /** Bounds of the length-scales, in the units of the (standardized) inputs. */
  readonly lengthScaleBounds?: { readonly lower: number; readonly upper: number };
  /** L-BFGS iterations per start (default 100). */
  readonly maxIterations?: number;
  /**
   * Above this many rows the GP learns from a random subset of this size (subset of data; default
   * GP_MAX_ROWS): an exact GP costs O(n³) time and O(n²) memory per likelihood evaluation.
   */
  readonly maxRows?: number;
}

/**
 * The default row cap of a fit. One likelihood evaluation with its gradient on this machine takes
 * about 60 ms at 1,000 rows and grows as n³ (0.2 s at 1,500, 0.5 s at 2,000), and the three
 * n × n float64 matrices take 54 MB at 1,500 rows (3.8 GB at 10,000, beyond wasm's memory). The
 * cross-validation then scores the subset GP as it is; larger tables are the network's and the
 * forest's.
 */
export const GP_MAX_ROWS = 1500;

/** Hyperparameters of one output, in standardized-target units. */
export interface GpHyperparameters {
  readonly lengthScales: number[];
  readonly signalVariance: number;
  readonly noiseVariance: number;
  /** σ_lin² of the linear kernel; 0 without one. */
  readonly linearVariance: number;
}

export interface GpOutputState {
  readonly targetMean: number;
  readonly targetScale: number;
  readonly hyperparameters: GpHyperparameters;
  /** K⁻¹ (y − mean) / scale: the weights of the posterior mean. */
  readonly alpha: number[];
  /** Diagonal jitter the Cholesky needed beyond the noise (0 when none). */
  readonly jitter: number;
  /** At the optimum, for the standardized targets. */
  readonly logMarginalLikelihood: number;
}

export interface GpState extends SerializedModel {
  readonly kind: 'gp';
  readonly version: 1;
  readonly kernel: CovarianceKind;
  readonly ard: boolean;
  readonly linear: boolean;
  readonly inputs: number;
  readonly outputs: number;
  /** Training inputs, rows × inputs, row-major. */
  readonly x: number[];
  readonly perOutput: GpOutputState[];
}

export interface GpPredictor extends Predictor<GpState> {
  readonly kind: 'gp';
  readonly hyperparameters: readonly GpHyperparameters[];
}

/** What the covariance is made of; θ's layout follows from it. */
export interface GpStructure {
  readonly kernel: CovarianceKind;
  readonly ard: boolean;
  readonly linear: boolean;
}

/** The log marginal likelihood of fixed rows and targets, evaluated at many θ. */
export interface GpLikelihood {
  /**
   * −log p(y | X, θ), NaN where K is not positive definite even with jitter; when `gradient` is not
   * null, writes the gradient with respect to θ (layout: gpLogMarginalLikelihood).
   */
  negativeLogLikelihood(theta: Float64Array, gradient: Float64Array | null): number;
  /** α = K⁻¹ y of the last successful evaluation. */
  alpha(): Float64Array;
  /** The diagonal jitter the last successful evaluation needed (0 when none). */
  jitter(): number;
  /** Frees what the likelihood holds (wasm memory); it must not be used afterwards. */
  dispose(): void;
}

/** The linear algebra of GP fitting and prediction; results agree with the reference to rounding. */
export interface GpKernels {
  readonly name: string;
  likelihood(x: Matrix, y: Float64Array, structure: GpStructure): GpLikelihood;
  /** As linalg.ts choleskyWithJitter (default jitter schedule). */
  choleskyWithJitter(a: Float64Array, n: number): JitteredCholesky;
  /** As linalg.ts solveLowerManyInPlace. */
  solveLowerManyInPlace(l: Float64Array, n: number, b: Float64Array, m: number): void;
  /** Worker threads that fit several GPs at once (cross-validation folds) with these kernels, where there are. */
  readonly pool?: GpFitPool;
}

/** The plain-TypeScript kernels: the reference the others are tested against. */
export const referenceGpKernels: GpKernels = {
  name: 'reference',
  likelihood(x, y, structure) {
    const workspace = createWorkspace(x.rows);
    const targets = Float64Array.from(y);
    return {
      negativeLogLikelihood: (theta, gradient) => negativeLogLikelihood(x, targets, structure, theta, gradient, workspace),
      alpha: () => Float64Array.from(workspace.alpha),
      jitter: () => workspace.jitter,
      dispose: () => {},
    };
  },
  choleskyWithJitter: (a, n) => choleskyWithJitter(a, n),
  solveLowerManyInPlace,
};

const LOG_2PI = Math.log(2 * Math.PI);
const SIGNAL_BOUNDS = { lower: 1e-4, upper: 1e4 };
const DEFAULT_NOISE_BOUNDS = { lower: 1e-6, upper: 10 };
const DEFAULT_LENGTH_SCALE_BOUNDS = { lower: 1e-2, upper: 1e3 };
const LINEAR_BOUNDS = { lower: 1e-6, upper: 10 };
/**
 * The refinement on all rows (after the subset found the basin) stops once an iteration lowers
 * −log p by less than this many nats in all. Unneeded precision there is the costliest part of a fit:
 * on Friedman #1 (800 rows) the last 50–70 % of the refinement's O(n³) evaluations nudged length-scales
 * of irrelevant inputs along the flat top of their bound (ℓ ≈ 750 → 1000) and changed −log p by
 * under 0.1 nat in all, and neither the predictions nor the CV R² to 4 decimals. The objective is
 * −log p / n, so the tolerance passed to L-BFGS is this divided by n.
 */
const REFINE_NATS_PER_ITERATION = 1e-4;
/**
 * The same with one length-scale per input (ARD), whose irrelevant inputs' length-scales drift along
 * flat ridges: 1e-3 cut the refinement on Friedman #1 (800 rows) from 45 to 37 iterations, 1.6 s to
 * 1.2 s, for 0.005 nat and the same held-out R² to 4 decimals. A shared length-scale keeps 1e-4: its
 * three hyperparameters converge in a few iterations, and on the diabetes table 1e-3 stopped one
 * fold at ℓ 8.6 instead of 8.2 (held-out R² 0.5595 against 0.5606).
 */
const ARD_REFINE_NATS_PER_ITERATION = 1e-3;

/**
 * Log marginal likelihood log p(y | X, θ) of a zero-mean GP and, when `gradient` is given, its
 * gradient with respect to θ = [log ℓ (one per input, or one), log σ_f², log σ_n², log σ_lin² (with a
 * linear kernel)], computed on `kernels`.
 */
export function gpLogMarginalLikelihood(
  x: Matrix,
  y: ArrayLike<number>,
  structure: GpStructure,
  theta: ArrayLike<number>,
  gradient?: Float64Array,
  kernels: GpKernels = referenceGpKernels,
): number {
  if (theta.length !== thetaLength(structure, x.cols)) throw new RangeError('θ does not match the GP structure');
  const likelihood = kernels.likelihood(x, Float64Array.from(y), structure);
  try {
    const nll = likelihood.negativeLogLikelihood(Float64Array.from(theta), gradient ?? null);
    if (gradient) for (let k = 0; k < gradient.length; k++) gradient[k] = -gradient[k];
    return -nll;
  } finally {
    likelihood.dispose();
  }
}

/** Fits one GP per output; `kernels` runs the linear algebra (default: the plain-TS reference). */
export function fitGp(
  allX: Matrix,
  allY: Matrix,
  options: GpOptions = {},
  fitOptions: FitOptions = {},
  kernels: GpKernels = referenceGpKernels,
): GpPredictor {
  if (allY.rows !== allX.rows) throw new RangeError('Inputs and targets must have the same number of rows');
  if (allX.rows < 2) throw new RangeError('A Gaussian process needs at least two rows');
  assertFinite(allX, 'Inputs');
  assertFinite(allY, 'Targets');
  const { kernel = 'rbf', ard = true, linear = false, maxRows = GP_MAX_ROWS } = options;
  if (!(Number.isInteger(maxRows) && maxRows >= 2)) throw new RangeError('maxRows must be an integer of at least 2');
  const structure: GpStructure = { kernel, ard, linear };
  const { seed = 0, signal, onProgress } = fitOptions;
  // Subset of data above maxRows: a seeded random choice of rows, kept in their order.
  const subset =
    allX.rows > maxRows
      ? createRng(deriveSeed(seed, 0x50d)).shuffle(Int32Array.from({ length: allX.rows }, (_, i) => i)).subarray(0, maxRows).sort()
      : null;
  const x = subset ? selectRows(allX, subset) : allX;
  const y = subset ? selectRows(allY, subset) : allY;
  const perOutput: GpOutputState[] = [];
  for (let o = 0; o < y.cols; o++) {
    const target = column(y, o);
    const progress = onProgress ? (f: number) => onProgress((o + f) / y.cols) : undefined;
    perOutput.push(fitOutput(x, target, structure, options, deriveSeed(seed, o), signal, progress, kernels));
  }
  const state: GpState = { kind: 'gp', version: 1, kernel, ard, linear, inputs: x.cols, outputs: y.cols, x: Array.from(x.data), perOutput };
  return makeGpPredictor(state, kernels);
}

export function gpFromJSON(state: GpState, kernels: GpKernels = referenceGpKernels): GpPredictor {
  if (state.kind !== 'gp' || state.version !== 1) throw new RangeError('Not a Gaussian-process model (version 1)');
  if (state.inputs <= 0 || state.x.length % state.inputs !== 0) throw new RangeError('GP training inputs are malformed');
  const n = state.x.length / state.inputs;
  if (state.perOutput.length !== state.outputs) throw new RangeError('GP state has the wrong number of outputs');
  for (const output of state.perOutput) {
    const scales = output.hyperparameters.lengthScales.length;
    const linearOk = state.linear ? output.hyperparameters.linearVariance > 0 : output.hyperparameters.linearVariance === 0;
    if (output.alpha.length !== n || scales !== (state.ard ? state.inputs : 1) || !linearOk) {
      throw new RangeError('GP output state has inconsistent array lengths');
    }
  }
  return makeGpPredictor(state, kernels);
}

export function gpFactory(options: GpOptions = {}, kernels: GpKernels = referenceGpKernels): ModelFactory {
  const { kernel = 'rbf', ard = true, linear = false } = options;
  return {
    name: `gp-${kernel}${ard ? '-ard' : ''}${linear ? '-linear' : ''}`,
    fit: (x: Matrix, y: Matrix, fitOptions: FitOptions = {}) => fitGp(x, y, options, fitOptions, kernels),
    ...(kernels.pool && kernels.pool.workers > 1
      ? { fitMany: (jobs: readonly FitJob[], fitOptions: ManyFitOptions = {}) => kernels.pool!.fitMany(jobs, options, kernels, fitOptions) }
      : {}),
  };
}

interface Workspace {
  readonly n: number;
  /** Lower triangle: K; kept intact for the gradient. */
  readonly covariance: Float64Array;
  readonly factor: Float64Array;
  readonly inverse: Float64Array;
  readonly alpha: Float64Array;
  readonly scratch: Float64Array;
  /** The last jitter the Cholesky needed. */
  jitter: number;
}

function createWorkspace(n: number): Workspace {
  return {
    n,
    covariance: new Float64Array(n * n),
    factor: new Float64Array(n * n),
    inverse: new Float64Array(n * n),
    alpha: new Float64Array(n),
    scratch: new Float64Array(n),
    jitter: 0,
  };
}

function thetaLength(structure: GpStructure, inputs: number): number {
  return (structure.ard ? inputs : 1) + 2 + (structure.linear ? 1 : 0);
}

/** x with each input divided by its length-scale (θ holds log ℓ first). */
function scaleInputs(x: Matrix, theta: Float64Array, ard: boolean): Float64Array {
  const d = x.cols;
  const inv = new Float64Array(d);
  for (let c = 0; c < d; c++) inv[c] = Math.exp(-theta[ard ? c : 0]);
  const out = new Float64Array(x.rows * d);
  for (let i = 0; i < x.rows; i++) for (let c = 0; c < d; c++) out[i * d + c] = x.data[i * d + c] * inv[c];
  return out;
}

/**
 * −log p(y | X, θ); when `gradient` is not null, writes its gradient. The n³ work is one Cholesky
 * and one inverse from it; the gradient is then O(n² d) by the trace identity, summing over the
 * lower triangle only (K and K⁻¹ are symmetric, ∂K_ii/∂log ℓ = 0).
 */
function negativeLogLikelihood(
  x: Matrix,
  y: Float64Array,
  structure: GpStructure,
  theta: Float64Array,
  gradient: Float64Array | null,
  w: Workspace,
): number {
  const { kernel, ard, linear } = structure;
  const n = x.rows;
  const d = x.cols;
  const scales = ard ? d : 1;
  const signal = Math.exp(theta[scales]);
  const noise = Math.exp(theta[scales + 1]);
  const linearVariance = linear ? Math.exp(theta[scales + 2]) : 0;
  const xs = scaleInputs(x, theta, ard);
  const raw = x.data;
  const k = w.covariance;
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j < i; j++) {
      k[rowI + j] = signal * unitCovariance(kernel, squaredDistance(xs, xs, d, i, j));
      if (linear) k[rowI + j] += linearVariance * innerProduct(raw, raw, d, i, j);
    }
    k[rowI + i] = signal + noise + (linear ? linearVariance * innerProduct(raw, raw, d, i, i) : 0);
  }
  let factorization;
  try {
    factorization = choleskyWithJitter(k, n, { out: w.factor });
  } catch {
    return NaN;
  }
  w.jitter = factorization.jitter;
  const l = w.factor;
  const alpha = w.alpha;
  alpha.set(y);
  choleskySolveInPlace(l, n, alpha);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i] * alpha[i];
  const nll = 0.5 * fit + halfLogDeterminant(l, n) + 0.5 * n * LOG_2PI;
  if (gradient === null) return nll;

  inverseFromCholesky(l, n, w.inverse, w.scratch);
  const inverse = w.inverse;
  gradient.fill(0);
  // ½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹; each off-diagonal pair appears twice in the trace.
  let signalTerm = 0;
  let linearTerm = 0;
  let diagonalW = 0;
  const perInput = new Float64Array(scales);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    const ai = alpha[i];
    for (let j = 0; j < i; j++) {
      const wij = ai * alpha[j] - inverse[rowI + j];
      const r2 = squaredDistance(xs, xs, d, i, j);
      signalTerm += wij * unitCovariance(kernel, r2);
      if (linear) linearTerm += wij * innerProduct(raw, raw, d, i, j);
      const weight = wij * signal * lengthScaleFactor(kernel, r2);
      if (ard) {
        for (let c = 0; c < d; c++) {
          const t = xs[i * d + c] - xs[j * d + c];
          perInput[c] += weight * t * t;
        }
      } else {
        perInput[0] += weight * r2;
      }
    }
    const wii = ai * ai - inverse[rowI + i];
    diagonalW += wii;
    if (linear) linearTerm += 0.5 * wii * innerProduct(raw, raw, d, i, i);
  }
  for (let c = 0; c < scales; c++) gradient[c] = -perInput[c];
  gradient[scales] = -signal * (signalTerm + 0.5 * diagonalW);
  gradient[scales + 1] = -0.5 * diagonalW * noise;
  if (linear) gradient[scales + 2] = -linearVariance * linearTerm;
  return nll;
}

function fitOutput(
  x: Matrix,
  target: Float64Array,
  structure: GpStructure,
  options: GpOptions,
  seed: number,
  signal: AbortSignal | undefined,
  onProgress: ((fraction: number) => void) | undefined,
  kernels: GpKernels,
): GpOutputState {
  const n = x.rows;
  const d = x.cols;
  const { ard, linear } = structure;
  const { restarts = 4, subsetSize = 256, maxIterations = 100 } = options;
  const lengthBounds = options.lengthScaleBounds ?? DEFAULT_LENGTH_SCALE_BOUNDS;
  const noiseOption = options.noise ?? DEFAULT_NOISE_BOUNDS;
  const fixedNoise = typeof noiseOption === 'number' ? noiseOption : null;
  if (fixedNoise !== null && !(fixedNoise > 0)) throw new RangeError('A fixed noise variance must be positive');

  let targetMean = 0;
  for (let i = 0; i < n; i++) targetMean += target[i];
  targetMean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (target[i] - targetMean) ** 2;
  const targetScale = variance > 0 ? Math.sqrt(variance / n) : 1;
  const y = target.map((v) => (v - targetMean) / targetScale);

  // θ = [log ℓ…, log σ_f², log σ_n², log σ_lin²?]; the optimizer sees only the free entries.
  const scales = ard ? d : 1;
  const thetaSize = thetaLength(structure, d);
  const noiseIndex = scales + 1;
  const freeIndex = Array.from({ length: thetaSize }, (_, t) => t).filter((t) => t !== noiseIndex || fixedNoise === null);
  const boundsOf = (t: number): { lower: number; upper: number } => {
    if (t < scales) return lengthBounds;
    if (t === scales) return SIGNAL_BOUNDS;
    if (t === noiseIndex && typeof noiseOption !== 'number') return noiseOption;
    return LINEAR_BOUNDS;
  };
  const lower = Float64Array.from(freeIndex, (t) => Math.log(boundsOf(t).lower));
  const upper = Float64Array.from(freeIndex, (t) => Math.log(boundsOf(t).upper));
  const toTheta = (freeValues: Float64Array): Float64Array => {
    const theta = new Float64Array(thetaSize);
    if (fixedNoise !== null) theta[noiseIndex] = Math.log(fixedNoise);
    freeIndex.forEach((t, f) => (theta[t] = freeValues[f]));
    return theta;
  };

  // Typical squared distance of standardized inputs is 2 per input: ℓ = √d puts r² near 2 at the
  // start. A linear kernel starts explaining about half the variance (σ_lin² d ≈ ½).
  const rng = createRng(seed);
  const typicalLog = Math.log(Math.sqrt(d));
  const starts: Float64Array[] = [];
  for (let s = 0; s <= restarts; s++) {
    const first = s === 0;
    const theta = new Float64Array(thetaSize);
    for (let c = 0; c < scales; c++) theta[c] = typicalLog + (first ? 0 : rng.uniform(-1.2, 1.2));
    theta[scales] = first ? 0 : rng.uniform(Math.log(0.3), Math.log(3));
    theta[noiseIndex] = first ? Math.log(0.1) : rng.uniform(Math.log(1e-3), Math.log(0.5));
    if (linear) theta[scales + 2] = Math.log(0.5 / d) + (first ? 0 : rng.uniform(-2, 1));
    starts.push(Float64Array.from(freeIndex, (t, f) => Math.min(upper[f] - 1e-3, Math.max(lower[f] + 1e-3, theta[t]))));
  }

  const optimize = (likelihood: GpLikelihood, rows: number, start: Float64Array, iterations: number, functionTolerance = 1e-9) => {
    const full = new Float64Array(thetaSize);
    const scale = 1 / rows;
    return minimizeBounded(
      (freeValues, freeGradient) => {
        const value = likelihood.negativeLogLikelihood(toTheta(freeValues), full);
        freeIndex.forEach((t, f) => (freeGradient[f] = full[t] * scale));
        return value * scale;
      },
      start,
      { lower, upper, maxIterations: iterations, gradientTolerance: 1e-5, functionTolerance, signal },
    );
  };

  const useSubset = n > 1.25 * subsetSize;
  const subset = useSubset ? rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)).subarray(0, subsetSize) : null;
  const exploreRows = subset ? selectRows(x, subset) : x;
  const exploreTargets = subset ? Float64Array.from(subset, (i) => y[i]) : y;
  // Both likelihoods hold their buffers (wasm memory with the wasm kernels) until the fit is done.
  const explore = kernels.likelihood(exploreRows, exploreTargets, structure);
  const full = subset ? kernels.likelihood(x, y, structure) : explore;
  try {
    // Race the starts: a short run from each, then only the most promising runs to convergence.
    const screenIterations = Math.min(maxIterations, 20);
    const steps = starts.length + (useSubset ? 2 : 1);
    let leader: { x: Float64Array; value: number; finished: boolean } | null = null;
    for (let s = 0; s < starts.length; s++) {
      try {
        const result = optimize(explore, exploreRows.rows, starts[s], screenIterations);
        if (leader === null || result.value < leader.value) {
          leader = { x: result.x, value: result.value, finished: result.status !== 'iterations' };
        }
      } catch (error) {
        if (signal?.aborted) throw error;
        // A start where K is numerically singular even with jitter: the other starts remain.
      }
      onProgress?.((s + 1) / steps);
    }
    if (leader === null) throw new RangeError('Gaussian-process fit failed from every start');
    let chosen = leader.x;
    if (!leader.finished) chosen = optimize(explore, exploreRows.rows, chosen, maxIterations).x;
    onProgress?.((starts.length + 1) / steps);
    const refineNats = ard ? ARD_REFINE_NATS_PER_ITERATION : REFINE_NATS_PER_ITERATION;
    if (full !== explore) chosen = optimize(full, n, chosen, maxIterations, refineNats / n).x;
    const theta = toTheta(chosen);
    const nll = full.negativeLogLikelihood(theta, null);
    if (!Number.isFinite(nll)) throw new RangeError('Gaussian-process fit failed: the final covariance is singular');
    onProgress?.(1);
    return {
      targetMean,
      targetScale,
      hyperparameters: {
        lengthScales: Array.from(theta.subarray(0, scales), Math.exp),
        signalVariance: Math.exp(theta[scales]),
        noiseVariance: Math.exp(theta[noiseIndex]),
        linearVariance: linear ? Math.exp(theta[scales + 2]) : 0,
      },
      alpha: Array.from(full.alpha()),
      jitter: full.jitter(),
      logMarginalLikelihood: -nll,
    };
  } finally {
    explore.dispose();
    if (full !== explore) full.dispose();
  }
}

function makeGpPredictor(state: GpState, kernels: GpKernels): GpPredictor {
  const { kernel, ard, linear, inputs: d, outputs: q } = state;
  const train = createMatrix(state.x.length / d, d, Float64Array.from(state.x));
  const n = train.rows;
  // Cholesky factors are rebuilt on first use after fromJSON: they are n² numbers per output and
  // follow exactly from the stored inputs, hyperparameters and jitter.
  const factors: (Float64Array | null)[] = state.perOutput.map(() => null);
  const logScalesOf = (o: number): Float64Array => Float64Array.from(state.perOutput[o].hyperparameters.lengthScales, Math.log);
  const covariance = (h: GpHyperparameters, xsA: Float64Array, a: Matrix, i: number, xsB: Float64Array, b: Matrix, j: number) =>
    h.signalVariance * unitCovariance(kernel, squaredDistance(xsA, xsB, d, i, j)) +
    (linear ? h.linearVariance * innerProduct(a.data, b.data, d, i, j) : 0);
  const factorOf = (o: number): Float64Array => {
    const existing = factors[o];
    if (existing) return existing;
    const h = state.perOutput[o].hyperparameters;
    const xs = scaleInputs(train, logScalesOf(o), ard);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) k[i * n + j] = covariance(h, xs, train, i, xs, train, j);
      k[i * n + i] = covariance(h, xs, train, i, xs, train, i) + h.noiseVariance + state.perOutput[o].jitter;
    }
    const { factor } = kernels.choleskyWithJitter(k, n);
    factors[o] = factor;
    return factor;
  };
  const blockSize = 256;
  /**
   * Posterior mean (and, with `withStd`, the std: a triangular solve per block, the costly part)
   * in blocks of test rows.
   */
  const predictBlocks = (x: Matrix, withStd: boolean): Prediction => {
    if (x.cols !== d) throw new RangeError(`Expected ${d} input columns, got ${x.cols}`);
    const m = x.rows;
    const mean = createMatrix(m, q);
    const std = createMatrix(m, q);
    const stdLatent = createMatrix(m, q);
    for (let o = 0; o < q; o++) {
      const output = state.perOutput[o];
      const h = output.hyperparameters;
      const logScales = logScalesOf(o);
      const xsTrain = scaleInputs(train, logScales, ard);
      const xsTest = scaleInputs(x, logScales, ard);
      const l = withStd ? factorOf(o) : null;
      for (let from = 0; from < m; from += blockSize) {
        const b = Math.min(blockSize, m - from);
        // Cross-covariances laid out n × b, so that the triangular solve runs along rows.
        const cross = new Float64Array(n * b);
        for (let i = 0; i < n; i++) {
          for (let c = 0; c < b; c++) cross[i * b + c] = covariance(h, xsTrain, train, i, xsTest, x, from + c);
        }
        const meanBlock = new Float64Array(b);
        for (let i = 0; i < n; i++) {
          const a = output.alpha[i];
          for (let c = 0; c < b; c++) meanBlock[c] += cross[i * b + c] * a;
        }
        for (let c = 0; c < b; c++) mean.data[(from + c) * q + o] = output.targetMean + output.targetScale * meanBlock[c];
        if (!l) continue;
        kernels.solveLowerManyInPlace(l, n, cross, b);
        const explained = new Float64Array(b);
        for (let i = 0; i < n; i++) for (let c = 0; c < b; c++) explained[c] += cross[i * b + c] ** 2;
        for (let c = 0; c < b; c++) {
          const prior = covariance(h, xsTest, x, from + c, xsTest, x, from + c);
          const latent = Math.max(0, prior - explained[c]);
          const at = (from + c) * q + o;
          stdLatent.data[at] = output.targetScale * Math.sqrt(latent);
          std.data[at] = output.targetScale * Math.sqrt(latent + h.noiseVariance);
        }
      }
    }
    return { mean, std, stdLatent };
  };
  return {
    kind: 'gp',
    inputs: d,
    outputs: q,
    hyperparameters: state.perOutput.map((o) => o.hyperparameters),
    toJSON: () => state,
    predict: (x: Matrix): Prediction => predictBlocks(x, true),
    predictMean: (x: Matrix): Matrix => predictBlocks(x, false).mean,
  };
}

function squaredDistance(a: Float64Array, b: Float64Array, d: number, i: number, j: number): number {
  let r2 = 0;
  for (let c = 0; c < d; c++) {
    const t = a[i * d + c] - b[j * d + c];
    r2 += t * t;
  }
  return r2;
}

function innerProduct(a: Float64Array, b: Float64Array, d: number, i: number, j: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[i * d + c] * b[j * d + c];
  return s;
}
