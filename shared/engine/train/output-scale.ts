// Predictions back to the user's units. A standardized output maps linearly (mean·s + m,
// std·s). A log-modelled output is log-normal in original units: we report its median
// exp(μ), which is what the model's squared-error fit estimates, and the log-normal std
// √(e^{σ²} − 1)·e^{μ + σ²/2}.
import type { NumericTransform } from '../../schema/table-encoding.ts';

export function decodePrediction(
  transform: NumericTransform,
  meanZ: ArrayLike<number>,
  stdZ: ArrayLike<number>,
): { mean: Float64Array; std: Float64Array } {
  const n = meanZ.length;
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = meanZ[i] * transform.std + transform.mean;
    const sigma = stdZ[i] * transform.std;
    if (transform.log) {
      mean[i] = Math.exp(mu);
      std[i] = Math.sqrt(Math.expm1(sigma * sigma)) * Math.exp(mu + (sigma * sigma) / 2);
    } else {
      mean[i] = mu;
      std[i] = sigma;
    }
  }
  return { mean, std };
}
