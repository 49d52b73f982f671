// Bayesian ridge regression (MacKay 1992; Tipping 2001), the estimator scikit-learn's
// IterativeImputer uses by default. The noise precision α and weight precision λ are found
// by evidence maximization, so the imputer needs no regularization setting. This follows
// sklearn.linear_model.BayesianRidge step for step (same Gamma priors, same stopping rule),
// with the eigen-decomposition of XᵀX in place of an SVD of X: the two give the same
// posterior mean, since coef = V diag(1 / (s² + λ/α)) Vᵀ Xᵀy either way.
import { symmetricEigen } from './symmetric-eigen.ts';

export interface BayesianRidgeOptions {
  readonly maxIterations?: number;
  readonly tolerance?: number;
  /** Shape and rate of the Gamma priors on α and λ. */
  readonly alpha1?: number;
  readonly alpha2?: number;
  readonly lambda1?: number;
  readonly lambda2?: number;
}

export interface BayesianRidgeFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  /** Noise precision. */
  readonly alpha: number;
  /** Weight precision. */
  readonly lambda: number;
  readonly iterations: number;
}

/** Fits y ≈ x·coef + intercept; `x` is n × p row-major. */
export function fitBayesianRidge(
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  { maxIterations = 300, tolerance = 1e-3, alpha1 = 1e-6, alpha2 = 1e-6, lambda1 = 1e-6, lambda2 = 1e-6 }: BayesianRidgeOptions = {},
): BayesianRidgeFit {
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    yMean += y[i];
    for (let j = 0; j < p; j++) xMean[j] += x[i * p + j];
  }
  yMean /= n;
  for (let j = 0; j < p; j++) xMean[j] /= n;
  const xc = new Float64Array(n * p);
  const yc = new Float64Array(n);
  let yVariance = 0;
  for (let i = 0; i < n; i++) {
    yc[i] = y[i] - yMean;
    yVariance += yc[i] * yc[i];
    for (let j = 0; j < p; j++) xc[i * p + j] = x[i * p + j] - xMean[j];
  }
  yVariance /= n;

  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const xij = xc[i * p + j];
      xty[j] += xij * yc[i];
      for (let k = j; k < p; k++) xtx[j * p + k] += xij * xc[i * p + k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtx[j * p + k] = xtx[k * p + j];
  const { values, vectors } = symmetricEigen(xtx, p);
  // Squared singular values are never negative; rounding can make the smallest slightly so.
  const eigen = values.map((value) => Math.max(value, 0));
  const vty = new Float64Array(p);
  for (let i = 0; i < p; i++) for (let k = 0; k < p; k++) vty[i] += vectors[k * p + i] * xty[k];

  const coef = new Float64Array(p);
  const update = (alpha: number, lambda: number): number => {
    coef.fill(0);
    for (let i = 0; i < p; i++) {
      const w = vty[i] / (eigen[i] + lambda / alpha);
      for (let k = 0; k < p; k++) coef[k] += vectors[k * p + i] * w;
    }
    let sse = 0;
    for (let r = 0; r < n; r++) {
      let fitted = 0;
      for (let j = 0; j < p; j++) fitted += xc[r * p + j] * coef[j];
      sse += (yc[r] - fitted) ** 2;
    }
    return sse;
  };

  let alpha = 1 / (yVariance + Number.EPSILON);
  let lambda = 1;
  const previous = new Float64Array(p);
  let iterations = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    iterations = iteration + 1;
    const sse = update(alpha, lambda);
    let gamma = 0;
    let coefNorm = 0;
    for (let i = 0; i < p; i++) {
      gamma += (alpha * eigen[i]) / (lambda + alpha * eigen[i]);
      coefNorm += coef[i] * coef[i];
    }
    lambda = (gamma + 2 * lambda1) / (coefNorm + 2 * lambda2);
    alpha = (n - gamma + 2 * alpha1) / (sse + 2 * alpha2);
    let change = 0;
    for (let i = 0; i < p; i++) change += Math.abs(previous[i] - coef[i]);
    if (iteration !== 0 && change < tolerance) break;
    previous.set(coef);
  }
  update(alpha, lambda);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= xMean[j] * coef[j];
  return { coef, intercept, alpha, lambda, iterations };
}
