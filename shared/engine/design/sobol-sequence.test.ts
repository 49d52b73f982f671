import { describe, expect, it } from 'vitest';
import { SOBOL_MAX_DIMENSIONS, sobolPoints } from './sobol-sequence.ts';

// scipy.stats.qmc.Sobol(d=1024, scramble=False).random(4096), which embeds the same Joe–Kuo
// table: 4096 · X[(37k + 5) mod 4096, (101k + 3) mod 1024] for k = 0 … 59.
const SCIPY_SAMPLE = [
  1536, 2112, 992, 800, 3376, 3728, 80, 2728, 1176, 1944, 1528, 1848, 2744, 3224, 3796, 876, 2612, 3956, 140, 28, 3084, 3340,
  1772, 1468, 1868, 2668, 3212, 428, 3210, 3774, 1718, 3174, 1198, 238, 2522, 786, 314, 3098, 62, 4034, 278, 526, 718, 2394,
  1698, 1642, 1662, 3410, 1926, 2250, 2626, 2850, 1734, 2694, 402, 846, 2955, 3815, 3953, 1835,
];

/** Counts of points per cell when coordinate j is cut into `cells` equal parts. */
function strata(points: Float64Array, d: number, j: number, cells: number): number[] {
  const counts = new Array<number>(cells).fill(0);
  for (let i = 0; i < points.length / d; i++) counts[Math.floor(points[i * d + j] * cells)]++;
  return counts;
}

describe('sobolPoints', () => {
  it('matches scipy on the plain sequence in all 1024 dimensions', () => {
    expect(SOBOL_MAX_DIMENSIONS).toBe(1024);
    const x = sobolPoints(4096, 1024, { scramble: false });
    const sample = SCIPY_SAMPLE.map((_, k) => x[((37 * k + 5) % 4096) * 1024 + ((101 * k + 3) % 1024)] * 4096);
    expect(sample).toEqual(SCIPY_SAMPLE);
    expect(Array.from(x.subarray(7 * 1024, 7 * 1024 + 6))).toEqual([0.125, 0.625, 0.375, 0.125, 0.125, 0.375]);
  });

  it('starts anywhere in the sequence', () => {
    const all = sobolPoints(64, 5, { scramble: false });
    const tail = sobolPoints(24, 5, { scramble: false, skip: 40 });
    expect(Array.from(tail)).toEqual(Array.from(all.subarray(40 * 5)));
  });

  it('keeps the net property when scrambled: 2^m points fill every 1/2^m stratum and 2-D box', () => {
    const d = 8;
    const x = sobolPoints(256, d, { seed: 11 });
    for (let j = 0; j < d; j++) expect(strata(x, d, j, 256).every((c) => c === 1)).toBe(true);
    // Dimensions 1 and 2 (0-based 0 and 1) form a (0, 2)-sequence: every 16 × 16 box holds one point.
    const boxes = new Set<number>();
    for (let i = 0; i < 256; i++) boxes.add(Math.floor(x[i * d] * 16) * 16 + Math.floor(x[i * d + 1] * 16));
    expect(boxes.size).toBe(256);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = sobolPoints(32, 4, { seed: 3 });
    expect(Array.from(sobolPoints(32, 4, { seed: 3 }))).toEqual(Array.from(a));
    expect(Array.from(sobolPoints(32, 4, { seed: 4 }))).not.toEqual(Array.from(a));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
  });

  it('integrates a smooth function far better than its error bound for random points', () => {
    // ∫ Π_j (1 + (x_j − ½)) dx = 1 over [0, 1]^6; scrambled Sobol' error ≪ 1/√N.
    const d = 6;
    const n = 4096;
    const x = sobolPoints(n, d, { seed: 1 });
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let p = 1;
      for (let j = 0; j < d; j++) p *= 1 + (x[i * d + j] - 0.5);
      sum += p;
    }
    expect(Math.abs(sum / n - 1)).toBeLessThan(1e-4);
  });

  it('refuses dimensions beyond the table', () => {
    expect(() => sobolPoints(4, SOBOL_MAX_DIMENSIONS + 1)).toThrow(RangeError);
  });
});
