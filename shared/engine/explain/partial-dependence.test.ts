import { describe, expect, it } from 'vitest';
import { createRng } from '../optimize/rng.ts';
import type { Model } from './model.ts';
import { partialDependence, variableGrid } from './partial-dependence.ts';

const rng = createRng(1);
const n = 200;
const x1 = Float64Array.from({ length: n }, () => 2 * rng.next() - 1);
const x2 = Float64Array.from({ length: n }, () => 3 * rng.next());
const meanX2 = x2.reduce((s, v) => s + v, 0) / n;
const additive: Model = async ([a, b], rows) => ({ mean: [Float64Array.from({ length: rows }, (_, r) => a[r] * a[r] + b[r])] });

describe('partialDependence', () => {
  it('recovers x1² + mean(x2) for f = x1² + x2, with parallel ICE curves', async () => {
    const result = await partialDependence(additive, { columns: [x1, x2], rows: n }, {
      inputs: [0, 1],
      variables: [
        { name: 'x1', type: 'continuous', min: -1, max: 1 },
        { name: 'x2', type: 'continuous', min: 0, max: 3 },
      ],
      gridSize: 11,
    });
    const [pd1, pd2] = result.oneWay;
    expect(pd1.grid.length).toBe(11);
    pd1.grid.forEach((g, i) => expect(g).toBeCloseTo(-1 + 0.2 * i, 14));
    pd1.grid.forEach((g, p) => expect(pd1.outputs[0].mean[p]).toBeCloseTo(g * g + meanX2, 12));
    // Additive: the 10–90 % band has the same width at every grid value (the spread of x2).
    const widths = Array.from(pd1.grid, (_, p) => pd1.outputs[0].high[p] - pd1.outputs[0].low[p]);
    widths.forEach((w) => expect(w).toBeCloseTo(widths[0], 12));
    expect(widths[0]).toBeGreaterThan(1.5);
    // ICE row r at grid p is g² + x2[r].
    expect(pd1.outputs[0].ice[7 * 11 + 3]).toBeCloseTo(pd1.grid[3] ** 2 + x2[7], 12);
    const meanSquare = x1.reduce((s, v) => s + v * v, 0) / n;
    pd2.grid.forEach((g, p) => expect(pd2.outputs[0].mean[p]).toBeCloseTo(meanSquare + g, 12));
  });

  it('computes two-way grids and shows interaction in the ICE band', async () => {
    const product: Model = async ([a, b], rows) => ({ mean: [Float64Array.from({ length: rows }, (_, r) => a[r] * b[r])] });
    const result = await partialDependence(product, { columns: [x1, x2], rows: n }, { inputs: [0], pairs: [[0, 1]], pairGridSize: 5 });
    const pair = result.twoWay[0];
    expect(pair.gridA.length).toBe(5);
    pair.gridA.forEach((a, i) => pair.gridB.forEach((b, k) => expect(pair.outputs[0][i * 5 + k]).toBeCloseTo(a * b, 12)));
    const band = result.oneWay[0].outputs[0];
    const width = (p: number): number => band.high[p] - band.low[p];
    // x1·x2: the band is narrow where x1 is near 0 and wide at the ends.
    expect(width(0)).toBeGreaterThan(5 * width(10));
  });

  it('grids follow the levels of integer, stepped and categorical variables', () => {
    expect(Array.from(variableGrid({ name: 'n', type: 'integer', min: 1, max: 4 }, 20))).toEqual([1, 2, 3, 4]);
    expect(Array.from(variableGrid({ name: 't', type: 'stepped', min: 0.1, max: 0.5, step: 0.1 }, 20))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(Array.from(variableGrid({ name: 'c', type: 'categorical', values: ['Pt', 'Pd', 'Ni'] }, 20))).toEqual([0, 1, 2]);
    expect(Array.from(variableGrid({ name: 'k', type: 'integer', min: 0, max: 100 }, 5))).toEqual([0, 25, 50, 75, 100]);
  });
});
