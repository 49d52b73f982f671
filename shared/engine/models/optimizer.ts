// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) with a line search that enforces the
// strong Wolfe conditions (Nocedal & Wright 2006, Algorithms 3.5 and 3.6, cubic interpolation in
// the zoom). Small and dependency-free: it fits the dozen hyperparameters of a Gaussian process.

/** Returns f(x) and writes ∇f(x) into `gradient`. May return a non-finite value where f is undefined. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIterations?: number;
  /** Number of correction pairs kept. */
  readonly memory?: number;
  /** Stop when the largest gradient component is at most this. */
  readonly gradientTolerance?: number;
  /** Stop when an iteration lowers f by at most this, relative to max(|f|, 1). */
  readonly functionTolerance?: number;
  readonly maxEvaluations?: number;
  readonly signal?: AbortSignal;
}

export type LbfgsStatus = 'gradient' | 'function' | 'iterations' | 'evaluations' | 'line-search';

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  /** Why it stopped: a convergence test, a budget, or a line search that found no decrease. */
  readonly status: LbfgsStatus;
}

const SUFFICIENT_DECREASE = 1e-4;
const CURVATURE = 0.9;
const MAX_LINE_SEARCH_STEPS = 25;

export function minimizeLbfgs(f: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const {
    maxIterations = 200,
    memory = 10,
    gradientTolerance = 1e-6,
    functionTolerance = 1e-10,
    maxEvaluations = 10 * maxIterations,
    signal,
  } = options;
  const n = x0.length;
  let evaluations = 0;
  const evaluate = (x: Float64Array, g: Float64Array): number => {
    signal?.throwIfAborted();
    evaluations++;
    return f(x, g);
  };

  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let fx = evaluate(x, g);
  if (!Number.isFinite(fx) || !allFinite(g)) throw new RangeError('Objective is not finite at the starting point');

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const alphas = new Float64Array(memory);
  const direction = new Float64Array(n);
  let iterations = 0;
  let status: LbfgsStatus = 'iterations';

  while (true) {
    if (maxNorm(g) <= gradientTolerance) {
      status = 'gradient';
      break;
    }
    if (iterations >= maxIterations) {
      status = 'iterations';
      break;
    }
    if (evaluations >= maxEvaluations) {
      status = 'evaluations';
      break;
    }
    twoLoopDirection(g, sHistory, yHistory, rhoHistory, alphas, direction);
    let slope = dotVectors(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in the history): restart from steepest descent.
      clearHistory(sHistory, yHistory, rhoHistory);
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = dotVectors(g, direction);
    }
    const initialStep = sHistory.length === 0 ? Math.min(1, 1 / maxNorm(g)) : 1;
    let search = lineSearch(evaluate, x, fx, direction, slope, initialStep);
    if (search === null && sHistory.length > 0) {
      clearHistory(sHistory, yHistory, rhoHistory);
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = dotVectors(g, direction);
      search = lineSearch(evaluate, x, fx, direction, slope, Math.min(1, 1 / maxNorm(g)));
    }
    if (search === null) {
      status = 'line-search';
      break;
    }
    iterations++;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = search.x[i] - x[i];
      y[i] = search.gradient[i] - g[i];
    }
    const sy = dotVectors(s, y);
    // Keep the pair only when the curvature condition holds, so the implicit Hessian stays positive definite.
    if (sy > 1e-12 * Math.sqrt(dotVectors(s, s) * dotVectors(y, y))) {
      if (sHistory.length === memory) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rhoHistory.push(1 / sy);
    }
    const previous = fx;
    x = search.x;
    g = search.gradient;
    fx = search.value;
    if (previous - fx <= functionTolerance * Math.max(Math.abs(previous), Math.abs(fx), 1)) {
      status = 'function';
      break;
    }
  }
  return { x, value: fx, gradient: g, iterations, evaluations, status };
}

export interface BoundedOptions extends LbfgsOptions {
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
}

/**
 * Minimizes f over the box lower ≤ x ≤ upper by optimizing u with x = lower + (upper − lower)·σ(u),
 * σ the logistic function. The box is never left, and the map is smooth, so plain L-BFGS applies.
 * A start on a bound is moved just inside it.
 */
export function minimizeBounded(f: Objective, x0: ArrayLike<number>, options: BoundedOptions): LbfgsResult {
  const { lower, upper } = options;
  const n = x0.length;
  const x = new Float64Array(n);
  const gx = new Float64Array(n);
  const toX = (u: Float64Array, dxdu: Float64Array | null): void => {
    for (let i = 0; i < n; i++) {
      const sigma = 1 / (1 + Math.exp(-u[i]));
      const width = upper[i] - lower[i];
      x[i] = lower[i] + width * sigma;
      if (dxdu !== null) dxdu[i] = width * sigma * (1 - sigma);
    }
  };
  const dxdu = new Float64Array(n);
  const objective: Objective = (u, gu) => {
    toX(u, dxdu);
    const value = f(x, gx);
    for (let i = 0; i < n; i++) gu[i] = gx[i] * dxdu[i];
    return value;
  };
  const u0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const width = upper[i] - lower[i];
    if (!(width > 0)) throw new RangeError('Each upper bound must exceed its lower bound');
    const p = Math.min(1 - 1e-9, Math.max(1e-9, (x0[i] - lower[i]) / width));
    u0[i] = Math.log(p / (1 - p));
  }
  const result = minimizeLbfgs(objective, u0, options);
  toX(result.x, dxdu);
  // ∂f/∂x from ∂f/∂u by the chain rule (0 where the logistic has saturated at a bound).
  const gradient = result.gradient.map((gu, i) => (dxdu[i] > 0 ? gu / dxdu[i] : 0));
  return { ...result, x: Float64Array.from(x), gradient };
}

interface LineSearchPoint {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
}

function lineSearch(
  evaluate: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  f0: number,
  direction: Float64Array,
  slope0: number,
  initialStep: number,
): LineSearchPoint | null {
  const n = x.length;
  let evaluationsLeft = MAX_LINE_SEARCH_STEPS;
  const at = (step: number): { point: LineSearchPoint; slope: number } => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i] + step * direction[i];
    const gt = new Float64Array(n);
    evaluationsLeft--;
    const value = evaluate(xt, gt);
    return { point: { x: xt, value, gradient: gt }, slope: dotVectors(gt, direction) };
  };
  const armijo = (step: number, value: number): boolean => value <= f0 + SUFFICIENT_DECREASE * step * slope0;
  const curvatureHolds = (slope: number): boolean => Math.abs(slope) <= -CURVATURE * slope0;

  let previousStep = 0;
  let previousValue = f0;
  let previousSlope = slope0;
  let previousPoint: LineSearchPoint | null = null;
  let step = initialStep;
  for (let i = 0; evaluationsLeft > 0; i++) {
    const trial = at(step);
    const value = trial.point.value;
    if (!Number.isFinite(value) || !allFinite(trial.point.gradient)) {
      // Outside the domain (e.g. a matrix that is no longer positive definite): step back.
      step = previousStep + 0.25 * (step - previousStep);
      continue;
    }
    if (!armijo(step, value) || (i > 0 && value >= previousValue)) {
      return zoom(previousStep, previousValue, previousSlope, previousPoint, step, value, trial.slope);
    }
    if (curvatureHolds(trial.slope)) return trial.point;
    if (trial.slope >= 0) {
      return zoom(step, value, trial.slope, trial.point, previousStep, previousValue, previousSlope);
    }
    previousStep = step;
    previousValue = value;
    previousSlope = trial.slope;
    previousPoint = trial.point;
    step *= 2.5;
  }
  return previousPoint;

  function zoom(
    loStep: number,
    loValue: number,
    loSlope: number,
    loPoint: LineSearchPoint | null,
    hiStep: number,
    hiValue: number,
    hiSlope: number,
  ): LineSearchPoint | null {
    while (evaluationsLeft > 0) {
      const width = hiStep - loStep;
      if (Math.abs(width) < 1e-14 * Math.max(1, Math.abs(loStep))) break;
      let step = cubicMinimizer(loStep, loValue, loSlope, hiStep, hiValue, hiSlope);
      const margin = 0.1 * Math.abs(width);
      const low = Math.min(loStep, hiStep) + margin;
      const high = Math.max(loStep, hiStep) - margin;
      if (!Number.isFinite(step) || step < low || step > high) step = loStep + 0.5 * width;
      const trial = at(step);
      const value = trial.point.value;
      if (!Number.isFinite(value) || !allFinite(trial.point.gradient) || !armijo(step, value) || value >= loValue) {
        hiStep = step;
        hiValue = Number.isFinite(value) ? value : Infinity;
        hiSlope = Number.isFinite(trial.slope) ? trial.slope : NaN;
        continue;
      }
      if (curvatureHolds(trial.slope)) return trial.point;
      if (trial.slope * (hiStep - loStep) >= 0) {
        hiStep = loStep;
        hiValue = loValue;
        hiSlope = loSlope;
      }
      loStep = step;
      loValue = value;
      loSlope = trial.slope;
      loPoint = trial.point;
    }
    // Out of evaluations: accept the best point with sufficient decrease, if any.
    return loPoint;
  }
}

/** Minimizer of the cubic that matches value and slope at a and b (NaN when it has none). */
function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(db)) return NaN;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const radicand = d1 * d1 - da * db;
  if (radicand < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(radicand);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

function twoLoopDirection(
  g: Float64Array,
  sHistory: readonly Float64Array[],
  yHistory: readonly Float64Array[],
  rhoHistory: readonly number[],
  alphas: Float64Array,
  out: Float64Array,
): void {
  const n = g.length;
  for (let i = 0; i < n; i++) out[i] = -g[i];
  const m = sHistory.length;
  for (let k = m - 1; k >= 0; k--) {
    const alpha = rhoHistory[k] * dotVectors(sHistory[k], out);
    alphas[k] = alpha;
    const y = yHistory[k];
    for (let i = 0; i < n; i++) out[i] -= alpha * y[i];
  }
  if (m > 0) {
    // Initial Hessian γI with γ = sᵀy / yᵀy of the newest pair (Nocedal & Wright eq. 7.20).
    const y = yHistory[m - 1];
    const gamma = 1 / (rhoHistory[m - 1] * dotVectors(y, y));
    for (let i = 0; i < n; i++) out[i] *= gamma;
  }
  for (let k = 0; k < m; k++) {
    const beta = rhoHistory[k] * dotVectors(yHistory[k], out);
    const s = sHistory[k];
    for (let i = 0; i < n; i++) out[i] += (alphas[k] - beta) * s[i];
  }
}

function clearHistory(s: Float64Array[], y: Float64Array[], rho: number[]): void {
  s.length = 0;
  y.length = 0;
  rho.length = 0;
}

function dotVectors(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxNorm(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
