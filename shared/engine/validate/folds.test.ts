import { describe, expect, it } from 'vitest';
import { planFolds } from './folds.ts';

describe('planFolds', () => {
  it('splits rows into k shuffled folds whose sizes differ by at most one', () => {
    const plan = planFolds(103, { folds: 5, seed: 7 });
    expect(plan.leaveOneOut).toBe(false);
    expect(plan.folds.map((f) => f.test.length)).toEqual([21, 21, 21, 20, 20]);
    const seen = new Uint8Array(103);
    for (const fold of plan.folds) {
      expect(fold.train.length + fold.test.length).toBe(103);
      for (const i of fold.test) seen[i]++;
      const test = new Set(fold.test);
      for (const i of fold.train) expect(test.has(i)).toBe(false);
    }
    expect(Array.from(seen).every((count) => count === 1)).toBe(true);
    // Shuffled: the first fold is not simply rows 0..20.
    expect(Array.from(plan.folds[0].test)).not.toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it('is deterministic for a seed and different across seeds and repeats', () => {
    const a = planFolds(50, { seed: 1, repeats: 2 });
    const b = planFolds(50, { seed: 1, repeats: 2 });
    const c = planFolds(50, { seed: 2 });
    expect(a.folds.map((f) => Array.from(f.test))).toEqual(b.folds.map((f) => Array.from(f.test)));
    expect(Array.from(a.folds[0].test)).not.toEqual(Array.from(c.folds[0].test));
    expect(a.folds).toHaveLength(10);
    expect(Array.from(a.folds[0].test)).not.toEqual(Array.from(a.folds[5].test));
  });

  it('uses leave-one-out below 30 rows', () => {
    const plan = planFolds(12, { folds: 5, repeats: 3 });
    expect(plan.leaveOneOut).toBe(true);
    expect(plan.repeats).toBe(1);
    expect(plan.folds.map((f) => Array.from(f.test))).toEqual(Array.from({ length: 12 }, (_, i) => [i]));
  });

  it('takes explicit test folds and checks that they partition the rows', () => {
    const plan = planFolds(5, { testFolds: [[4, 0], [1, 3], [2]] });
    expect(plan.foldCount).toBe(3);
    expect(plan.leaveOneOut).toBe(false);
    expect(Array.from(plan.folds[0].test)).toEqual([0, 4]);
    expect(Array.from(plan.folds[0].train)).toEqual([1, 2, 3]);
    expect(() => planFolds(5, { testFolds: [[0, 1], [1, 2, 3, 4]] })).toThrow();
    expect(() => planFolds(5, { testFolds: [[0, 1], [2, 3]] })).toThrow();
  });
});
