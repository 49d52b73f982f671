import { describe, expect, it } from 'vitest';
import { intervalCoverage, meanAbsoluteError, rSquared, rootMeanSquaredError, Z_95 } from './metrics.ts';

describe('regression metrics', () => {
  // y = 1, 2, 3, 4, 5 (mean 3, SST = 10); predictions 1.5, 2, 2, 4.5, 5 ⇒ errors 0.5, 0, −1, 0.5, 0.
  const y = [1, 2, 3, 4, 5];
  const predicted = [1.5, 2, 2, 4.5, 5];

  it('computes R² = 1 − SSE/SST by hand', () => {
    // SSE = 0.25 + 0 + 1 + 0.25 + 0 = 1.5 ⇒ R² = 1 − 1.5/10 = 0.85.
    expect(rSquared(y, predicted)).toBeCloseTo(0.85, 15);
    expect(rSquared(y, [3, 3, 3, 3, 3])).toBe(0);
    expect(rSquared([2, 2, 2], [2, 2, 2])).toBeNaN();
  });

  it('computes RMSE and MAE by hand', () => {
    expect(rootMeanSquaredError(y, predicted)).toBeCloseTo(Math.sqrt(1.5 / 5), 15);
    expect(meanAbsoluteError(y, predicted)).toBeCloseTo(2 / 5, 15);
  });

  it('counts targets inside mean ± z·std, the bounds included', () => {
    // |errors| / std = 0.5, 0, 1, 0.5, 0 with std 1, 1, 0.5, 0.25, 1 ⇒ ratios 0.5, 0, 2, 2, 0.
    const std = [1, 1, 0.5, 0.25, 1];
    expect(intervalCoverage(y, predicted, std, 1)).toBeCloseTo(3 / 5, 15);
    expect(intervalCoverage(y, predicted, std, 2)).toBe(1);
    // Rescaled by 0.2 the half-width is 0.392 std: only the two exact predictions stay inside.
    expect(intervalCoverage(y, predicted, std, Z_95, 0.2)).toBeCloseTo(2 / 5, 15);
  });
});
