import { describe, expect, it } from 'vitest';
import { createRng } from '../models/rng.ts';
import { calibrateStd } from './calibration.ts';

function gaussianResiduals(n: number, trueSd: number, predictedSd: number, seed: number) {
  const rng = createRng(seed);
  const y = Float64Array.from({ length: n }, () => trueSd * rng.normal());
  return { y, mean: new Float64Array(n), std: new Float64Array(n).fill(predictedSd) };
}

describe('calibrateStd', () => {
  it('leaves an honest std alone', () => {
    const { y, mean, std } = gaussianResiduals(2000, 1.5, 1.5, 1);
    const c = calibrateStd(y, mean, std);
    expect(c.applied).toBe(false);
    expect(c.scale).toBe(1);
    expect(c.coverage68).toBeGreaterThan(0.65);
    expect(c.coverage68).toBeLessThan(0.72);
    expect(c.coverage95).toBeGreaterThan(0.935);
    expect(c.coverage95).toBeLessThan(0.965);
  });

  it('rescales a std that is half what it should be', () => {
    const { y, mean, std } = gaussianResiduals(2000, 2, 1, 2);
    const c = calibrateStd(y, mean, std);
    expect(c.applied).toBe(true);
    expect(c.coverage95).toBeLessThan(0.8);
    expect(c.scale).toBeGreaterThan(1.9);
    expect(c.scale).toBeLessThan(2.1);
    expect(Math.abs(c.coverage95Scaled - 0.95)).toBeLessThan(0.015);
    expect(Math.abs(c.coverage68Scaled - 0.6827)).toBeLessThan(0.03);
  });

  it('computes the scale as the root mean square z-score', () => {
    // z = 3, −3, 0, 6 ⇒ coverage far off; RMS z = √((9 + 9 + 0 + 36) / 4) = √13.5.
    const c = calibrateStd([3, -3, 0, 6], [0, 0, 0, 0], [1, 1, 1, 1]);
    expect(c.applied).toBe(true);
    expect(c.scale).toBeCloseTo(Math.sqrt(13.5), 14);
    expect(c.coverage68).toBe(0.25);
  });
});
