import { describe, expect, it } from 'vitest';
import { type Matrix, createMatrix, matrixFromRows } from '../models/matrix.ts';
import { ridgeFactory, ridgeLeaveOneOutResiduals } from '../models/ridge.ts';
import { createRng } from '../models/rng.ts';
import type { ModelFactory } from '../models/types.ts';
import { crossValidate, startCrossValidation } from './cross-validate.ts';

/** Predicts the training mean with a fixed std: out-of-fold values can be worked out by hand. */
const meanModel: ModelFactory = {
  name: 'mean',
  fit: (_x: Matrix, y: Matrix) => {
    let mean = 0;
    for (let i = 0; i < y.rows; i++) mean += y.data[i];
    mean /= y.rows;
    return {
      kind: 'mean',
      inputs: 1,
      outputs: 1,
      toJSON: () => ({ kind: 'mean', version: 1 }),
      predict: (x: Matrix) => ({
        mean: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(mean)),
        std: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(1)),
        stdLatent: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(0.5)),
      }),
    };
  },
};

describe('crossValidate', () => {
  it('fits the folds at once through fitMany where a factory has it, to the same numbers', () => {
    const rng = createRng(5);
    const x = createMatrix(40, 2, Float64Array.from({ length: 80 }, () => rng.normal()));
    const y = createMatrix(40, 1, Float64Array.from({ length: 40 }, (_, i) => x.data[2 * i] - 0.5 * x.data[2 * i + 1] + 0.1 * rng.normal()));
    const ridge = ridgeFactory();
    const batches: { rows: number[]; seeds: (number | undefined)[] }[] = [];
    const many: ModelFactory = {
      name: ridge.name,
      fit: () => {
        throw new Error('fit must not be called when fitMany fits the folds');
      },
      fitMany: (jobs, options) => {
        batches.push({ rows: jobs.map((job) => job.x.rows), seeds: jobs.map((job) => job.seed) });
        return jobs.map((job, j) => {
          options?.onProgress?.((j + 1) / jobs.length);
          return ridge.fit(job.x, job.y, { seed: job.seed });
        });
      },
    };
    const fractions: number[] = [];
    const viaMany = crossValidate(many, x, y, { folds: 5, seed: 2, onProgress: (f) => fractions.push(f) });
    const oneByOne = crossValidate(ridge, x, y, { folds: 5, seed: 2 });
    expect(batches).toHaveLength(1);
    expect(batches[0].rows).toEqual([32, 32, 32, 32, 32]);
    expect(new Set(batches[0].seeds).size).toBe(5);
    expect(viaMany.outputs).toEqual(oneByOne.outputs);
    expect(viaMany.outOfFold).toEqual(oneByOne.outOfFold);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    // A fold run on its own, or listed twice, is refused as before.
    const run = startCrossValidation(many, x, y, { folds: 5, seed: 2 });
    expect(() => run.runFolds([1, 1])).toThrow(RangeError);
    run.runFolds([0, 1]);
    expect(() => run.runFolds([1, 2])).toThrow(RangeError);
  });

  it('gives hand-computed leave-one-out metrics for a mean predictor', () => {
    // y = 0, 1, 2, 6: leaving row i out predicts the mean of the other three.
    // Predictions 3, 8/3, 7/3, 1 ⇒ errors −3, −5/3, −1/3, 5.
    const x = matrixFromRows([[0], [1], [2], [3]]);
    const y = matrixFromRows([[0], [1], [2], [6]]);
    const result = crossValidate(meanModel, x, y);
    expect(result.leaveOneOut).toBe(true);
    expect(Array.from(result.outOfFold[0].mean.data)).toEqual([3, 8 / 3, 7 / 3, 1]);
    const sse = 9 + 25 / 9 + 1 / 9 + 25;
    const m = result.outputs[0];
    // SST about the mean 2.25: 5.0625 + 1.5625 + 0.0625 + 14.0625 = 20.75.
    expect(m.r2).toBeCloseTo(1 - sse / 20.75, 14);
    expect(m.rmse).toBeCloseTo(Math.sqrt(sse / 4), 14);
    expect(m.mae).toBeCloseTo((3 + 5 / 3 + 1 / 3 + 5) / 4, 14);
    expect(m.r2FoldMean).toBeNaN();
    // |errors| ≤ 1 only for row 2 (1/3); ≤ 1.96 for rows 1 and 2.
    expect(m.coverage68).toBe(0.25);
    expect(m.coverage95).toBe(0.5);
    expect(m.calibration.applied).toBe(true);
    expect(m.calibration.scale).toBeCloseTo(Math.sqrt(sse / 4), 14);
  });

  it('reproduces the exact leave-one-out residuals of ridge', () => {
    const rng = createRng(3);
    const x = createMatrix(20, 3, Float64Array.from({ length: 60 }, () => rng.normal()));
    const y = createMatrix(20, 2, Float64Array.from({ length: 40 }, (_, k) => x.data[Math.floor(k / 2) * 3] * (k % 2 ? 2 : -1) + 0.3 * rng.normal()));
    const result = crossValidate(ridgeFactory({ penalty: 1.5 }), x, y);
    const residuals = ridgeLeaveOneOutResiduals(x, y, 1.5);
    for (let k = 0; k < y.data.length; k++) {
      expect(y.data[k] - result.outOfFold[0].mean.data[k]).toBeCloseTo(residuals.data[k], 10);
    }
  });

  it('averages per-fold R² as scikit-learn does, and repeats with fresh folds', () => {
    const rng = createRng(4);
    const x = createMatrix(60, 2, Float64Array.from({ length: 120 }, () => rng.normal()));
    const y = createMatrix(60, 1, Float64Array.from({ length: 60 }, (_, i) => x.data[i * 2] - x.data[i * 2 + 1] + 0.5 * rng.normal()));
    const once = crossValidate(ridgeFactory(), x, y, { folds: 5, seed: 9 });
    const twice = crossValidate(ridgeFactory(), x, y, { folds: 5, seed: 9, repeats: 2 });
    expect(once.foldCount).toBe(5);
    expect(twice.outOfFold).toHaveLength(2);
    expect(Array.from(twice.outOfFold[0].mean.data)).toEqual(Array.from(once.outOfFold[0].mean.data));
    expect(Array.from(twice.outOfFold[1].mean.data)).not.toEqual(Array.from(once.outOfFold[0].mean.data));
    const m = once.outputs[0];
    // Noise sd 0.5 against signal variance 2: R² near 2 / 2.25 ≈ 0.89.
    expect(m.r2).toBeGreaterThan(0.8);
    expect(Math.abs(m.r2FoldMean - m.r2)).toBeLessThan(0.05);
    expect(m.calibration.applied).toBe(false);
  });
});

describe('permutation importance on the folds', () => {
  it('is about 2 for the input a linear output is made of and 0 for an ignored one', () => {
    // y = 3·x0 exactly, x1 unrelated. Shuffling x0 makes predictions unrelated to y, so the
    // pooled R² falls from 1 to about −1 (a drop of about 2); shuffling x1 changes nothing.
    const rows = 60;
    const x = createMatrix(rows, 2);
    const y = createMatrix(rows, 1);
    for (let i = 0; i < rows; i++) {
      x.data[i * 2] = ((i * 37) % 60) / 10;
      x.data[i * 2 + 1] = ((i * 11) % 7) / 3;
      y.data[i] = 3 * x.data[i * 2];
    }
    const result = crossValidate(ridgeFactory({ penalty: 1e-9 }), x, y, { featureGroups: [[0], [1]], permutationRepeats: 4, seed: 1 });
    const [[x0, x1]] = result.permutation!.importance;
    expect(x0).toBeGreaterThan(1.5);
    expect(x0).toBeLessThan(2.6);
    expect(Math.abs(x1)).toBeLessThan(1e-6);
    expect(result.permutation!.std[0][1]).toBeLessThan(1e-6);
  });

  it('gives the same numbers when deferred until the model is kept (as auto does for its winners)', () => {
    const rows = 50;
    const x = createMatrix(rows, 3);
    const y = createMatrix(rows, 1);
    const rng = createRng(4);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < 3; c++) x.data[i * 3 + c] = rng.normal();
      y.data[i] = 2 * x.data[i * 3] - x.data[i * 3 + 2] + 0.1 * rng.normal();
    }
    const options = { featureGroups: [[0], [1], [2]], permutationRepeats: 3, seed: 2 };
    const direct = crossValidate(ridgeFactory(), x, y, options);
    const run = startCrossValidation(ridgeFactory(), x, y, { ...options, deferPermutation: true });
    for (let k = 0; k < run.plan.folds.length; k++) run.runFold(k);
    const finished = run.finish();
    expect(finished.permutation).toBeUndefined();
    const deferred = run.withPermutation(finished);
    expect(deferred.permutation).toEqual(direct.permutation);
    expect(deferred.permutation!.importance[0][0]).toBeGreaterThan(deferred.permutation!.importance[0][2]);
    expect(deferred.outputs).toEqual(direct.outputs);
  });
});

describe('restandardize', () => {
  it('scales the listed columns by each fold\'s training rows, for its fit and its predictions alike', () => {
    const rng = createRng(4);
    const rows = 40;
    const x = createMatrix(rows, 2);
    const y = createMatrix(rows, 1);
    for (let i = 0; i < rows; i++) {
      x.data.set([5 + 3 * rng.normal(), rng.next() < 0.5 ? 0 : 1], i * 2);
      y.data[i] = x.data[i * 2];
    }
    const seen: { train: Matrix; test: Matrix }[] = [];
    const recorder: ModelFactory = {
      name: 'recorder',
      fit: (xTrain: Matrix) => ({
        kind: 'recorder',
        inputs: 2,
        outputs: 1,
        toJSON: () => ({ kind: 'recorder', version: 1 }),
        predict: (xTest: Matrix) => {
          seen.push({ train: xTrain, test: xTest });
          return { mean: createMatrix(xTest.rows, 1), std: createMatrix(xTest.rows, 1, new Float64Array(xTest.rows).fill(1)), stdLatent: createMatrix(xTest.rows, 1) };
        },
      }),
    };
    const plan = startCrossValidation(recorder, x, y, { folds: 4, seed: 1, restandardize: [0] });
    for (let k = 0; k < 4; k++) plan.runFold(k);
    expect(seen).toHaveLength(4);
    seen.forEach(({ train, test }, k) => {
      const fold = plan.plan.folds[k];
      const values = Array.from({ length: train.rows }, (_, i) => train.data[i * 2]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      expect(mean).toBeCloseTo(0, 12);
      expect(std).toBeCloseTo(1, 12);
      // The test rows go through the same map: raw = mean_train + std_train · scaled.
      const rawTrain = Array.from(fold.train, (i) => x.data[i * 2]);
      const m = rawTrain.reduce((a, b) => a + b, 0) / rawTrain.length;
      const s = Math.sqrt(rawTrain.reduce((a, b) => a + (b - m) ** 2, 0) / rawTrain.length);
      fold.test.forEach((row, t) => {
        expect(test.data[t * 2]).toBeCloseTo((x.data[row * 2] - m) / s, 12);
        // Column 1 (say, a one-hot column) is not listed and stays as it was.
        expect(test.data[t * 2 + 1]).toBe(x.data[row * 2 + 1]);
      });
    });
  });
});
