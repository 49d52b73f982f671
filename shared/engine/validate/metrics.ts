// Regression metrics over paired arrays of targets and predictions.

/** Coefficient of determination 1 − SSE / SST, SST about the mean of y (NaN when y is constant). */
export function rSquared(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (y[i] - predicted[i]) ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : NaN;
}

export function rootMeanSquaredError(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - predicted[i]) ** 2;
  return Math.sqrt(s / y.length);
}

export function meanAbsoluteError(y: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - predicted[i]);
  return s / y.length;
}

/** Two-sided standard-normal quantiles of the intervals we report. */
export const Z_68 = 1; // P(|Z| ≤ 1) = 0.6827
export const Z_95 = 1.959963984540054;
export const NOMINAL_68 = 0.6826894921370859;
export const NOMINAL_95 = 0.95;

/** Fraction of y inside mean ± z·std. */
export function intervalCoverage(
  y: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  z: number,
  stdScale = 1,
): number {
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (Math.abs(y[i] - mean[i]) <= z * std[i] * stdScale) inside++;
  return inside / y.length;
}
