import { beforeAll, describe, expect, it } from 'vitest';
import { type AutoResult, fitAuto } from './auto.ts';
import { gpFactory } from './gp.ts';
import { type Matrix, createMatrix } from './matrix.ts';
import { readModel } from './registry.ts';
import { ridgeFactory } from './ridge.ts';
import { createRng } from './rng.ts';
import type { ModelFactory } from './types.ts';

function twoOutputs(rows: number, seed: number) {
  const rng = createRng(seed);
  const x = createMatrix(rows, 2);
  const y = createMatrix(rows, 2);
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    x.data.set([a, b], i * 2);
    y.data[i * 2] = a - 2 * b + 0.3 * rng.normal();
    y.data[i * 2 + 1] = Math.sin(3 * a) + 0.1 * rng.normal();
  }
  return { x, y };
}

const failing: ModelFactory = {
  name: 'failing',
  fit: () => {
    throw new Error('cannot fit');
  },
};

/** Always predicts zero: a candidate that must lose. */
const zero: ModelFactory = {
  name: 'zero',
  fit: (_x: Matrix, y: Matrix) => ({
    kind: 'zero',
    inputs: 2,
    outputs: y.cols,
    toJSON: () => ({ kind: 'zero', version: 1 }),
    predict: (x: Matrix) => ({
      mean: createMatrix(x.rows, y.cols),
      std: createMatrix(x.rows, y.cols, new Float64Array(x.rows * y.cols).fill(1)),
      stdLatent: createMatrix(x.rows, y.cols, new Float64Array(x.rows * y.cols).fill(1)),
    }),
  }),
};

describe('fitAuto', () => {
  const { x, y } = twoOutputs(80, 1);
  const candidates = [zero, ridgeFactory(), gpFactory({ kernel: 'rbf', restarts: 1 }), failing];
  let result: AutoResult;
  beforeAll(() => {
    result = fitAuto(x, y, { candidates, seed: 3 });
  });

  it('keeps the candidate with the best cross-validated R² for each output and says why', () => {
    for (const choice of result.choices) {
      const best = Math.max(...choice.scores.filter((s) => Number.isFinite(s.r2)).map((s) => s.r2));
      expect(choice.scores.find((s) => s.name === choice.chosen)?.r2).toBe(best);
      expect(choice.reason).toContain(best.toFixed(3));
      expect(choice.scores.find((s) => s.name === 'failing')?.error).toBe('cannot fit');
    }
    // The sine needs the GP; no linear model can follow it.
    expect(result.choices[1].chosen).toBe('gp-rbf-ard');
    expect(result.choices[1].scores.find((s) => s.name === 'gp-rbf-ard')?.r2).toBeGreaterThan(0.9);
    expect(result.choices[1].scores.find((s) => s.name === 'ridge')?.r2).toBeLessThan(0.5);
    expect(result.choices[0].chosen).not.toBe('zero');
    expect(result.choices[0].scores.find((s) => s.name === 'ridge')?.r2).toBeGreaterThan(0.95);
  });

  it('predicts with the refitted winners and the calibrated std', () => {
    const probe = twoOutputs(5, 2).x;
    const prediction = result.predictor.predict(probe);
    result.choices.forEach((choice, o) => {
      const factory = candidates.find((c) => c.name === choice.chosen);
      expect(factory).toBeDefined();
      for (let i = 0; i < probe.rows; i++) {
        expect(Number.isFinite(prediction.mean.data[i * 2 + o])).toBe(true);
        expect(prediction.std.data[i * 2 + o]).toBeGreaterThan(0);
      }
    });
    expect(result.outOfFold.mean.rows).toBe(80);
  });

  it('round-trips through JSON and the model registry', () => {
    const restored = readModel(JSON.parse(JSON.stringify(result.predictor)));
    const probe = twoOutputs(7, 4).x;
    const a = result.predictor.predict(probe);
    const b = restored.predict(probe);
    for (let k = 0; k < a.mean.data.length; k++) {
      expect(b.mean.data[k]).toBeCloseTo(a.mean.data[k], 10);
      expect(b.std.data[k]).toBeCloseTo(a.std.data[k], 8);
    }
    expect(() => readModel({ kind: 'unknown', version: 1 })).toThrow();
  });
});
