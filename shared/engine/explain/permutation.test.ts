import { describe, expect, it } from 'vitest';
import { createRng } from '../optimize/rng.ts';
import type { Model } from './model.ts';
import { permutationImportance, rSquared, type HeldOutFold } from './permutation.ts';

// y = 3 x1 + 0.5 x2 + noise; x3 is ignored by the model.
const model: Model = async ([a, b], n) => ({ mean: [Float64Array.from({ length: n }, (_, r) => 3 * a[r] + 0.5 * b[r])] });

function fold(seed: number, n: number): HeldOutFold {
  const rng = createRng(seed);
  const columns = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => rng.next()));
  const y = Float64Array.from({ length: n }, (_, r) => 3 * columns[0][r] + 0.5 * columns[1][r] + 0.1 * rng.normal());
  return { predict: model, columns, targets: [y] };
}

describe('permutationImportance', () => {
  it('ranks the dominant input first and gives an ignored one exactly 0', async () => {
    const folds = [fold(1, 200), fold(2, 200), fold(3, 200)];
    const result = await permutationImportance(folds, { repeats: 4, names: ['a', 'b', 'c'] });
    const [a, b, c] = result.importance[0];
    expect(result.ranking[0].map((x) => x.name)).toEqual(['a', 'b', 'c']);
    expect(c.importance).toBe(0);
    expect(c.std).toBe(0);
    // Shuffling x1 adds 2·Var(3 x1) = 1.5 to the residual variance (total ≈ 0.79): drop ≈ 1.9.
    expect(a.importance).toBeGreaterThan(1.5);
    expect(a.importance).toBeLessThan(2.3);
    expect(b.importance).toBeGreaterThan(0.02);
    expect(b.importance).toBeLessThan(0.2);
    expect(a.std).toBeGreaterThan(0);
    expect(result.baseline[0]).toBeGreaterThan(0.95);
  });

  it('computes R² as 1 − SS_res / SS_tot', () => {
    expect(rSquared([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(rSquared([1, 2, 3, 4], [2.5, 2.5, 2.5, 2.5])).toBe(0);
    expect(rSquared([1, 2, 3], [1, 3, 3])).toBeCloseTo(0.5, 12);
  });
});
