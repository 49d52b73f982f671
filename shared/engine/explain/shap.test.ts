import { describe, expect, it } from 'vitest';
import { createRng } from '../optimize/rng.ts';
import type { Model } from './model.ts';
import { shapValues, type RowSet } from './shap.ts';

function randomRows(rows: number, d: number, seed: number): RowSet {
  const rng = createRng(seed);
  return { rows, columns: Array.from({ length: d }, () => Float64Array.from({ length: rows }, () => 4 * rng.next() - 2)) };
}

function linear(b0: number, b: readonly number[]): Model {
  return async (columns, n) => {
    const y = new Float64Array(n).fill(b0);
    b.forEach((bi, i) => {
      for (let r = 0; r < n; r++) y[r] += bi * columns[i][r];
    });
    return { mean: [y] };
  };
}

const mean = (x: Float64Array): number => x.reduce((s, v) => s + v, 0) / x.length;

async function predictOne(model: Model, rows: RowSet, r: number): Promise<number> {
  return (await model(rows.columns.map((c) => c.subarray(r, r + 1)), 1)).mean[0][0];
}

describe('shapValues', () => {
  it('gives b_i (x_i − mean background x_i) for a linear model, exactly and by sampling', async () => {
    for (const d of [4, 13]) {
      const b = Array.from({ length: d }, (_, i) => (i % 2 === 0 ? 1 : -1) * (i + 1) * 0.7);
      const model = linear(3, b);
      const background = randomRows(40, d, 1);
      const explain = randomRows(5, d, 2);
      const result = await shapValues(model, explain, background, { permutations: 8 });
      expect(result.method).toBe(d <= 10 ? 'exact' : 'permutation');
      for (let i = 0; i < d; i++) {
        const centre = mean(background.columns[i]);
        for (let r = 0; r < 5; r++) {
          expect(Math.abs(result.values[0][i][r] - b[i] * (explain.columns[i][r] - centre))).toBeLessThan(1e-9);
        }
      }
      const ranking = result.ranking[0];
      ranking.forEach((entry, k) => {
        const column = result.values[0][entry.input];
        expect(entry.meanAbs).toBeCloseTo(column.reduce((s, v) => s + Math.abs(v), 0) / 5, 12);
        if (k > 0) expect(entry.meanAbs).toBeLessThanOrEqual(ranking[k - 1].meanAbs);
      });
    }
  });

  it('keeps efficiency, Σφ = f(x) − E f, and matches the Shapley values of a product', async () => {
    // f = x1·x2 + sin(x3): v(∅) = mean(z1 z2) + mean(sin z3), v({1}) = x1 mean(z2) + …, so
    // φ1 = ½[(x1 m2 − m12) + (x1 x2 − m1 x2)], φ3 = sin x3 − mean(sin z3).
    const model: Model = async ([x1, x2, x3], n) => ({
      mean: [Float64Array.from({ length: n }, (_, r) => x1[r] * x2[r] + Math.sin(x3[r]))],
    });
    const background = randomRows(30, 3, 3);
    const explain = randomRows(4, 3, 4);
    const [z1, z2, z3] = background.columns;
    const m1 = mean(z1);
    const m2 = mean(z2);
    const m12 = mean(z1.map((v, i) => v * z2[i]));
    const ms3 = mean(z3.map(Math.sin));
    for (const maxExactInputs of [10, 0]) {
      const result = await shapValues(model, explain, background, { maxExactInputs, permutations: 6 });
      expect(result.baseline[0]).toBeCloseTo(m12 + ms3, 12);
      for (let r = 0; r < 4; r++) {
        const [x1, x2, x3] = explain.columns.map((c) => c[r]);
        const phi = result.values[0].map((column) => column[r]);
        expect(phi[0] + phi[1] + phi[2]).toBeCloseTo((await predictOne(model, explain, r)) - result.baseline[0], 12);
        expect(phi[2]).toBeCloseTo(Math.sin(x3) - ms3, 12);
        if (maxExactInputs === 10) expect(phi[0]).toBeCloseTo(0.5 * (x1 * m2 - m12 + x1 * x2 - m1 * x2), 12);
      }
    }
  });

  it('is deterministic per seed with a subsampled background', async () => {
    const model = linear(0, [1, 2]);
    const background = randomRows(500, 2, 5);
    const explain = randomRows(3, 2, 6);
    const a = await shapValues(model, explain, background, { maxBackground: 50, seed: 9 });
    const b = await shapValues(model, explain, background, { maxBackground: 50, seed: 9 });
    expect(a).toEqual(b);
    expect(a.evaluations).toBe(3 * 4 * 50);
  });
});
