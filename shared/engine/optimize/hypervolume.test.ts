import { describe, expect, it } from 'vitest';
import { epsilonConstraint, hypervolume, kneePoint, nondominatedIndices, pickByWeights } from './hypervolume.ts';
import { createRng } from './rng.ts';
import { dtlz2, frontHypervolume2d, zdt1, zdt2, zdt3, ZDT3_TRUE_HYPERVOLUME } from './test-problems.ts';

/** Union volume of the boxes [p, ref] by inclusion–exclusion: exact, for small sets. */
function inclusionExclusion(points: number[][], reference: number[]): number {
  let total = 0;
  const n = points.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const corner = reference.map(() => -Infinity);
    let size = 0;
    for (let i = 0; i < n; i++) {
      if (!(mask & (1 << i))) continue;
      size++;
      points[i].forEach((x, j) => (corner[j] = Math.max(corner[j], x)));
    }
    const volume = corner.reduce((v, x, j) => v * Math.max(0, reference[j] - x), 1);
    total += size % 2 === 1 ? volume : -volume;
  }
  return total;
}

describe('hypervolume', () => {
  it('matches hand-computed 2-D values', () => {
    // Staircase (1,3), (2,2), (3,1) under (4,4): strips 3·1 + 2·1 + 1·1.
    expect(hypervolume([1, 3, 2, 2, 3, 1], 2, [4, 4])).toBe(6);
    // A dominated point and one beyond the reference change nothing.
    expect(hypervolume([1, 3, 2, 2, 3, 1, 2.5, 2.5, 5, 0], 2, [4, 4])).toBe(6);
    expect(hypervolume([0, 0], 2, [1, 2])).toBe(2);
    expect(hypervolume([], 2, [1, 1])).toBe(0);
  });

  it('matches hand-computed 3-D values', () => {
    expect(hypervolume([1, 1, 1], 3, [2, 2, 2])).toBe(1);
    // Boxes of 4 and 2 overlapping in a unit cube.
    expect(hypervolume([0, 0, 1, 1, 1, 0], 3, [2, 2, 2])).toBe(5);
    // Three boxes of 4, pairwise overlaps of 2, triple overlap of 1: 12 − 6 + 1.
    expect(hypervolume([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, [2, 2, 2])).toBe(7);
  });

  it('agrees with inclusion–exclusion on random sets in 2, 3 and 4 objectives', () => {
    const rng = createRng(7);
    for (const m of [2, 3, 4]) {
      for (let trial = 0; trial < 20; trial++) {
        const points = Array.from({ length: 8 }, () => Array.from({ length: m }, () => Math.round(rng.next() * 20) / 20));
        const reference = Array.from({ length: m }, () => 1);
        expect(hypervolume(points.flat(), m, reference)).toBeCloseTo(inclusionExclusion(points, reference), 12);
      }
    }
  });

  it('reduces to the 2-D value for a flat 3-D set', () => {
    const rng = createRng(3);
    const flat2: number[] = [];
    const flat3: number[] = [];
    for (let i = 0; i < 200; i++) {
      const x = rng.next();
      const y = rng.next();
      flat2.push(x, y);
      flat3.push(x, y, 0);
    }
    expect(hypervolume(flat3, 3, [1.1, 1.1, 1])).toBeCloseTo(hypervolume(flat2, 2, [1.1, 1.1]), 12);
  });

  it('approaches the analytic value on dense samples of the true fronts', () => {
    const sample = (n: number, h: (x: number) => number): number[] =>
      Array.from({ length: n }, (_, i) => [i / (n - 1), h(i / (n - 1))]).flat();
    expect(zdt1().trueHypervolume).toBeCloseTo(0.876667, 6);
    expect(hypervolume(sample(100_001, (x) => 1 - Math.sqrt(x)), 2, [1.1, 1.1])).toBeCloseTo(0.876667, 4);
    expect(zdt2().trueHypervolume).toBeCloseTo(0.543333, 6);
    expect(hypervolume(sample(100_001, (x) => 1 - x * x), 2, [1.1, 1.1])).toBeCloseTo(0.543333, 4);
    // ZDT3's disconnected front: the integral and a dense sample agree with the stored value.
    const h3 = (x: number): number => 1 - Math.sqrt(x) - x * Math.sin(10 * Math.PI * x);
    expect(frontHypervolume2d(h3, 1.1, 200_000)).toBeCloseTo(ZDT3_TRUE_HYPERVOLUME, 6);
    expect(hypervolume(sample(100_001, h3), 2, [1.1, 1.1])).toBeCloseTo(ZDT3_TRUE_HYPERVOLUME, 4);
    expect(zdt3().trueHypervolume).toBe(ZDT3_TRUE_HYPERVOLUME);
  });

  it('gives DTLZ2 its analytic 1.1³ − π/6 and approaches it from a sphere grid', () => {
    expect(dtlz2(3).trueHypervolume).toBeCloseTo(1.331 - Math.PI / 6, 12);
    expect(dtlz2(3).trueHypervolume).toBeCloseTo(0.807401, 6);
    const points: number[] = [];
    const steps = 60;
    for (let i = 0; i <= steps; i++) {
      for (let j = 0; j <= steps; j++) {
        const a = ((i / steps) * Math.PI) / 2;
        const b = ((j / steps) * Math.PI) / 2;
        points.push(Math.cos(a) * Math.cos(b), Math.cos(a) * Math.sin(b), Math.sin(a));
      }
    }
    const value = hypervolume(points, 3, [1.1, 1.1, 1.1]);
    expect(value).toBeLessThan(0.807401);
    expect(value).toBeGreaterThan(0.795);
  });
});

describe('choosing from a front', () => {
  // f2 = 1 − √f1 at f1 = 0, 0.05, …, 1.
  const front = Array.from({ length: 21 }, (_, i) => [i / 20, 1 - Math.sqrt(i / 20)]).flat();

  it('finds the knee farthest from the line through the extremes', () => {
    // f1 + f2 = f1 + 1 − √f1 is smallest at f1 = 1/4.
    expect(front[2 * kneePoint(front, 2)]).toBeCloseTo(0.25, 12);
    expect(kneePoint([0, 1, 0.2, 0.3, 1, 0], 2)).toBe(1);
    expect(kneePoint([], 2)).toBe(-1);
  });

  it('picks by weighted desirability', () => {
    // d1 = 1 − f1, d2 = √f1. Equal weights: max (1 − x)·√x at x = 1/3; on the grid 0.35
    // (0.65·√0.35 = 0.3845 > 0.7·√0.3 = 0.3834).
    expect(front[2 * pickByWeights(front, 2, [1, 1])]).toBeCloseTo(0.35, 12);
    // Weights 3:1: max (1 − x)^¾ · x^⅛ at x = 1/7; on the grid 0.15 (0.6984 > 0.6929 at 0.1).
    expect(front[2 * pickByWeights(front, 2, [3, 1])]).toBeCloseTo(0.15, 12);
    // All weight on f1: the best f1.
    expect(front[2 * pickByWeights(front, 2, [1, 0])]).toBe(0);
  });

  it('answers ε-constraint queries', () => {
    // Rows of (cost, strength).
    const rows = [10, 30, 12, 45, 15, 52, 20, 60, 30, 61];
    expect(epsilonConstraint(rows, 2, { column: 0, sense: 'min', bounds: [{ column: 1, min: 50 }] })).toBe(2);
    expect(epsilonConstraint(rows, 2, { column: 0, sense: 'min', bounds: [{ column: 1, min: 60.5 }] })).toBe(4);
    expect(epsilonConstraint(rows, 2, { column: 1, sense: 'max', bounds: [{ column: 0, max: 18 }] })).toBe(2);
    expect(epsilonConstraint(rows, 2, { column: 0, sense: 'min', bounds: [{ column: 1, min: 99 }] })).toBe(-1);
  });

  it('filters non-dominated rows', () => {
    expect(nondominatedIndices([1, 3, 2, 2, 2.5, 2.5, 3, 1, 1, 3], 2)).toEqual([0, 1, 3, 4]);
  });
});
