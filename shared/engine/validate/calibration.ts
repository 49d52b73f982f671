// Is the predicted std honest? Out-of-fold targets should fall inside mean ± 1 std 68 % of the time
// and inside mean ± 1.96 std 95 % of the time. When the observed fractions are further from that
// than sampling explains, the std is rescaled by the root mean square of the z-scores
// (y − mean) / std, the maximum-likelihood scale of a Gaussian with the predicted shape.
import { NOMINAL_68, NOMINAL_95, Z_68, Z_95, intervalCoverage } from './metrics.ts';

export interface StdCalibration {
  readonly coverage68: number;
  readonly coverage95: number;
  /** Multiply predicted std by this (1 when not applied). */
  readonly scale: number;
  /** True when the coverage was far off and `scale` differs from 1. */
  readonly applied: boolean;
  /** Coverage after rescaling (equal to the above when not applied). */
  readonly coverage68Scaled: number;
  readonly coverage95Scaled: number;
}

/**
 * "Far off": more than max(absolute, 3 binomial standard errors) from the nominal level, with the
 * absolute floor 0.05 for the 68 % interval and 0.03 for the 95 % one.
 */
export function calibrateStd(y: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number>): StdCalibration {
  const n = y.length;
  const coverage68 = intervalCoverage(y, mean, std, Z_68);
  const coverage95 = intervalCoverage(y, mean, std, Z_95);
  const tolerance = (p: number, floor: number) => Math.max(floor, 3 * Math.sqrt((p * (1 - p)) / n));
  const farOff =
    Math.abs(coverage68 - NOMINAL_68) > tolerance(NOMINAL_68, 0.05) ||
    Math.abs(coverage95 - NOMINAL_95) > tolerance(NOMINAL_95, 0.03);
  let scale = 1;
  if (farOff) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (std[i] > 0) {
        sum += ((y[i] - mean[i]) / std[i]) ** 2;
        count++;
      }
    }
    if (count > 0 && sum > 0) scale = Math.sqrt(sum / count);
  }
  const applied = scale !== 1;
  return {
    coverage68,
    coverage95,
    scale,
    applied,
    coverage68Scaled: applied ? intervalCoverage(y, mean, std, Z_68, scale) : coverage68,
    coverage95Scaled: applied ? intervalCoverage(y, mean, std, Z_95, scale) : coverage95,
  };
}
