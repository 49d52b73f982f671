import { beforeAll, describe, expect, it } from 'vitest';
import { type AutoResult, fitAuto } from './auto.ts';
import { gpFactory } from './gp.ts';
import { type Matrix, createMatrix, selectColumns } from './matrix.ts';
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

describe('screening after the first fold', () => {
  /** The linear output alone: ridge explains it, predicting zero does not. */
  function linearOnly(rows: number, seed: number) {
    const { x, y } = twoOutputs(rows, seed);
    return { x, y: selectColumns(y, [0]) };
  }

  /** Counts the fits of a factory. */
  function counted(factory: ModelFactory): ModelFactory & { fits: number } {
    const wrapped = {
      name: factory.name,
      fits: 0,
      fit: (x: Matrix, y: Matrix, options?: Parameters<ModelFactory['fit']>[2]) => {
        wrapped.fits++;
        return factory.fit(x, y, options);
      },
    };
    return wrapped;
  }

  it('stops a clearly worse candidate after one fold on a large table, and reports its first-fold R²', () => {
    const { x, y } = linearOnly(300, 5);
    const bad = counted(zero);
    const good = counted(ridgeFactory());
    const result = fitAuto(x, y, { candidates: [bad, good], seed: 1 });
    // 5 folds: the zero model fits once, ridge five times plus the refit.
    expect(bad.fits).toBe(1);
    expect(good.fits).toBe(6);
    const score = result.choices[0].scores.find((s) => s.name === 'zero')!;
    expect(score.screenedAfterFolds).toBe(1);
    expect(score.r2).toBeLessThan(0.1);
    expect(result.crossValidation.zero).toBeUndefined();
    expect(result.choices[0].chosen).toBe('ridge');
    expect(result.choices[0].reason).toMatch(/zero -?0\.\d{3} on the first fold, not run further/);
  });

  it('runs every fold of every candidate on small tables, or when screening is off', () => {
    const small = linearOnly(100, 6);
    const bad = counted(zero);
    fitAuto(small.x, small.y, { candidates: [bad, ridgeFactory()], seed: 1 });
    expect(bad.fits).toBe(5);
    const large = linearOnly(300, 7);
    const again = counted(zero);
    fitAuto(large.x, large.y, { candidates: [again, ridgeFactory()], seed: 1, screen: false });
    expect(again.fits).toBe(5);
  });

  it('keeps a candidate that is close on the first fold', () => {
    const { x, y } = linearOnly(300, 8);
    // The same model twice under two names: never screened against itself.
    const twin = counted({ ...ridgeFactory(), name: 'twin' });
    const result = fitAuto(x, y, { candidates: [ridgeFactory(), twin], seed: 1 });
    expect(twin.fits).toBeGreaterThanOrEqual(5);
    expect(result.crossValidation.twin).toBeDefined();
  });
});
