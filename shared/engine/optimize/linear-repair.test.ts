import { describe, expect, it } from 'vitest';
import { createEqualityRepair } from './linear-repair.ts';
import { createRng } from './rng.ts';

describe('linear equality repair', () => {
  it('projects a mixture onto its sum within bounds', () => {
    const lower = Float64Array.from([10, 0, 5, 0]);
    const upper = Float64Array.from([60, 40, 30, 50]);
    const repair = createEqualityRepair(
      { count: 1, adjustable: Float64Array.from([1, 1, 1, 1]), held: new Float64Array(4), rhs: Float64Array.of(100) },
      lower,
      upper,
      (_, x) => x,
    );
    // Hand-worked: (60, 40, 30, 50) sums to 180; removing 20 each gives (40, 20, 10, 30).
    const row = Float64Array.from([60, 40, 30, 50]);
    repair(row, 1);
    expect(Array.from(row)).toEqual([40, 20, 10, 30]);
    // (10, 0, 5, 0) sums to 15: +21.25 each would not clip, giving (31.25, 21.25, 26.25, 21.25).
    const low = Float64Array.from([10, 0, 5, 0]);
    repair(low, 1);
    expect(Array.from(low)).toEqual([31.25, 21.25, 26.25, 21.25]);
    // (60, 0, 5, 0) needs +35: +8.75 each would push A past 60, so A is pinned there and the
    // remaining 35 − 0 goes to B, C, D equally: (60, 35/3, 5 + 35/3, 35/3).
    const pinned = Float64Array.from([60, 0, 5, 0]);
    repair(pinned, 1);
    expect(pinned[0]).toBe(60);
    expect(pinned[1]).toBeCloseTo(35 / 3, 12);
    expect(pinned[2]).toBeCloseTo(5 + 35 / 3, 12);
    expect(pinned[3]).toBeCloseTo(35 / 3, 12);
    const rng = createRng(1);
    const rows = new Float64Array(4 * 1000);
    for (let i = 0; i < rows.length; i++) rows[i] = lower[i % 4] + rng.next() * (upper[i % 4] - lower[i % 4]);
    repair(rows, 1000);
    for (let r = 0; r < 1000; r++) {
      const x = rows.subarray(4 * r, 4 * r + 4);
      expect(Math.abs(x[0] + x[1] + x[2] + x[3] - 100)).toBeLessThanOrEqual(1e-12);
      for (let g = 0; g < 4; g++) expect(x[g] >= lower[g] && x[g] <= upper[g]).toBe(true);
    }
  });

  it('meets two equalities at once and keeps held genes', () => {
    // x0 + x1 + x2 + 2·value(h) = 10 and x0 − x1 = 1, with h held (decoded as 1.5 × gene).
    const repair = createEqualityRepair(
      {
        count: 2,
        adjustable: Float64Array.from([1, 1, 1, 0, 1, -1, 0, 0]),
        held: Float64Array.from([0, 0, 0, 2, 0, 0, 0, 0]),
        rhs: Float64Array.from([10, 1]),
      },
      Float64Array.from([0, 0, 0, 0]),
      Float64Array.from([10, 10, 10, 2]),
      (gene, x) => (gene === 3 ? 1.5 * x : x),
    );
    const rng = createRng(2);
    for (let trial = 0; trial < 200; trial++) {
      const h = rng.int(3);
      const row = Float64Array.from([rng.next() * 10, rng.next() * 10, rng.next() * 10, h]);
      repair(row, 1);
      expect(row[3]).toBe(h);
      expect(row[0] + row[1] + row[2] + 3 * h).toBeCloseTo(10, 12);
      expect(row[0] - row[1]).toBeCloseTo(1, 12);
      for (let g = 0; g < 3; g++) expect(row[g] >= 0 && row[g] <= 10).toBe(true);
    }
  });
});
