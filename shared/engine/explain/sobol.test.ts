import { describe, expect, it } from 'vitest';
import type { VariableSpec } from '../optimize/problem.ts';
import type { Model } from './model.ts';
import { sobolIndices } from './sobol.ts';

const A = 7;
const B = 0.1;
const ishigami: Model = async (columns, n) => {
  const [x1, x2, x3] = columns;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.sin(x1[i]) + A * Math.sin(x2[i]) ** 2 + B * x3[i] ** 4 * Math.sin(x1[i]);
  return { mean: [y] };
};

// Ishigami & Homma (1990); Sobol' & Levitan (1999): partial variances of the three terms.
const V1 = 0.5 * (1 + (B * Math.PI ** 4) / 5) ** 2;
const V2 = A ** 2 / 8;
const V13 = B ** 2 * Math.PI ** 8 * (1 / 18 - 1 / 50);
const V = V1 + V2 + V13;
const S1 = [V1 / V, V2 / V, 0];
const ST = [(V1 + V13) / V, V2 / V, V13 / V];

const cube = (names: string[]): VariableSpec[] => names.map((name) => ({ name, type: 'continuous', min: -Math.PI, max: Math.PI }));

describe('sobolIndices', () => {
  it('recovers the analytic Ishigami indices at N = 1024 in few model calls', async () => {
    expect(S1[0]).toBeCloseTo(0.3139, 4);
    expect(ST[2]).toBeCloseTo(0.2437, 4);
    let calls = 0;
    const counted: Model = (columns, n) => {
      calls++;
      return ishigami(columns, n);
    };
    const result = await sobolIndices(counted, cube(['x1', 'x2', 'x3']), { baseSamples: 1024, seed: 1 });
    expect(result.evaluations).toBe(1024 * 5);
    expect(calls).toBe(1);
    result.indices[0].forEach((index, i) => {
      expect(Math.abs(index.first - S1[i])).toBeLessThan(0.015);
      expect(Math.abs(index.total - ST[i])).toBeLessThan(0.005);
      // The 95 % bootstrap intervals cover the analytic values.
      expect(index.firstInterval[0]).toBeLessThanOrEqual(S1[i]);
      expect(index.firstInterval[1]).toBeGreaterThanOrEqual(S1[i]);
      expect(index.totalInterval[0]).toBeLessThanOrEqual(ST[i]);
      expect(index.totalInterval[1]).toBeGreaterThanOrEqual(ST[i]);
    });
    expect(result.variance[0]).toBeCloseTo(V, 1);
  });

  it('gives independent estimates on scrambled points, each close to the analytic values', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await sobolIndices(ishigami, cube(['x1', 'x2', 'x3']), { seed, scramble: true, bootstrap: 0 });
      result.indices[0].forEach((index, i) => {
        expect(Math.abs(index.first - S1[i])).toBeLessThan(0.03);
        expect(Math.abs(index.total - ST[i])).toBeLessThan(0.03);
      });
    }
  });

  it('handles integer, categorical and fixed inputs and several outputs', async () => {
    // y0 = 2a + c (a uniform on 0…4, c uniform on {0, 10}); y1 = a only. Var(2a) = 4·2 = 8,
    // Var(c) = 25, so S_a = 8/33, S_c = 25/33 on y0; the fixed input has index 0.
    const variables: VariableSpec[] = [
      { name: 'a', type: 'integer', min: 0, max: 4 },
      { name: 'c', type: 'categorical', values: [0, 10] },
      { name: 'k', type: 'fixed', value: 3 },
    ];
    const model: Model = async ([a, c, k], n) => {
      const y0 = new Float64Array(n);
      const y1 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        y0[i] = 2 * a[i] + c[i] + k[i];
        y1[i] = a[i];
      }
      return { mean: [y0, y1] };
    };
    const result = await sobolIndices(model, variables, { baseSamples: 4096, bootstrap: 50 });
    const [onY0, onY1] = result.indices;
    expect(onY0[0].first).toBeCloseTo(8 / 33, 2);
    expect(onY0[1].first).toBeCloseTo(25 / 33, 2);
    expect(onY0[0].total).toBeCloseTo(8 / 33, 2);
    expect(onY0[2]).toEqual({ variable: 'k', first: 0, firstInterval: [0, 0], total: 0, totalInterval: [0, 0] });
    expect(onY1[0].total).toBeCloseTo(1, 3);
    expect(onY1[1].total).toBe(0);
    expect(result.variance[1]).toBeCloseTo(2, 1);
  });

  it('is deterministic per seed and stops on abort', async () => {
    const a = await sobolIndices(ishigami, cube(['x1', 'x2', 'x3']), { baseSamples: 256, seed: 5, scramble: true });
    const b = await sobolIndices(ishigami, cube(['x1', 'x2', 'x3']), { baseSamples: 256, seed: 5, scramble: true });
    expect(b).toEqual(a);
    const controller = new AbortController();
    controller.abort();
    await expect(sobolIndices(ishigami, cube(['x1', 'x2', 'x3']), { signal: controller.signal })).rejects.toThrow();
  });
});
