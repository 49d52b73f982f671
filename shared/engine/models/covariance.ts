// Stationary covariance functions of a Gaussian process over scaled distances r, where
// r² = Σ_c ((x_c − x'_c) / ℓ_c)² (Rasmussen & Williams 2006, §4.2). Each returns the unit-variance
// covariance and the factor g(r) with ∂k/∂log ℓ_c = g(r) · ((x_c − x'_c) / ℓ_c)², which stays
// finite at r = 0 for both kernels, so no division by r is ever needed.

export type CovarianceKind = 'rbf' | 'matern52';

export const COVARIANCE_KINDS: readonly CovarianceKind[] = ['rbf', 'matern52'];

const SQRT5 = Math.sqrt(5);

/** Unit covariance k(r) from r². */
export function unitCovariance(kind: CovarianceKind, r2: number): number {
  if (kind === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** g(r) with ∂k/∂log ℓ_c = g(r) · s_c, s_c the scaled squared difference along input c. */
export function lengthScaleFactor(kind: CovarianceKind, r2: number): number {
  if (kind === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  // k = (1 + √5 r + 5r²/3) e^{−√5 r}; dk/dr = −(5/3) r (1 + √5 r) e^{−√5 r}; ∂r/∂log ℓ_c = −s_c / r.
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}
