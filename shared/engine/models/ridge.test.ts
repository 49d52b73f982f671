import { describe, expect, it } from 'vitest';
import { createMatrix, matrixFromRows, selectRows } from './matrix.ts';
import { fitRidge, ridgeFromJSON, ridgeLeaveOneOutResiduals } from './ridge.ts';
import { createRng } from './rng.ts';
import { readXY } from './test-helpers/read-csv.ts';
import { standardizeColumns } from '../validate/synthetic.ts';

function linearData(rows: number, seed: number, noise = 0) {
  const rng = createRng(seed);
  const p = 4;
  const beta = [[1.5, -2], [0.25, 0.5], [-3, 1], [0.125, 4]];
  const intercept = [0.7, -1.3];
  const x = createMatrix(rows, p);
  const y = createMatrix(rows, 2);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) x.data[i * p + j] = rng.normal();
    for (let o = 0; o < 2; o++) {
      let value = intercept[o] + noise * rng.normal();
      for (let j = 0; j < p; j++) value += x.data[i * p + j] * beta[j][o];
      y.data[i * 2 + o] = value;
    }
  }
  return { x, y, beta, intercept };
}

describe('fitRidge', () => {
  it('recovers a linear function exactly with a tiny penalty', () => {
    const { x, y, beta, intercept } = linearData(50, 1);
    const model = fitRidge(x, y, { penalty: 1e-10 });
    beta.forEach((row, j) => row.forEach((b, o) => expect(Math.abs(model.coefficients.data[j * 2 + o] - b)).toBeLessThan(1e-8)));
    intercept.forEach((c, o) => expect(Math.abs(model.intercept[o] - c)).toBeLessThan(1e-8));
  });

  it('lets leave-one-out choose a vanishing penalty on noiseless data', () => {
    const { x, y, beta } = linearData(40, 2);
    const model = fitRidge(x, y);
    beta.forEach((row, j) => row.forEach((b, o) => expect(Math.abs(model.coefficients.data[j * 2 + o] - b)).toBeLessThan(1e-8)));
  });

  it('matches the closed form Σxy / (Σx² + λ) for one centred input', () => {
    // x = 1..5 centred: −2..2, Σx² = 10; y = 2, 1, 4, 3, 6 has Σ(x − x̄)(y − ȳ) = 10 ⇒ slope 10 / (10 + λ).
    const x = matrixFromRows([[1], [2], [3], [4], [5]]);
    const y = matrixFromRows([[2], [1], [4], [3], [6]]);
    const model = fitRidge(x, y, { penalty: 5 });
    expect(model.coefficients.data[0]).toBeCloseTo(10 / 15, 12);
    // The intercept is not penalized: ȳ − slope · x̄ = 3.2 − (2/3) · 3.
    expect(model.intercept[0]).toBeCloseTo(3.2 - 2, 12);
  });

  it('computes leave-one-out residuals equal to refitting without each row', () => {
    const { x, y } = linearData(12, 3, 0.5);
    const fast = ridgeLeaveOneOutResiduals(x, y, 2.5);
    for (let i = 0; i < x.rows; i++) {
      const others = Array.from({ length: x.rows }, (_, k) => k).filter((k) => k !== i);
      const refit = fitRidge(selectRows(x, others), selectRows(y, others), { penalty: 2.5 });
      const predicted = refit.predict(selectRows(x, [i])).mean;
      for (let o = 0; o < 2; o++) {
        expect(fast.data[i * 2 + o]).toBeCloseTo(y.data[i * 2 + o] - predicted.data[o], 10);
      }
    }
  });

  it('chooses by generalized cross-validation a penalty that minimizes the hold-out error nearby', () => {
    const { x, y } = linearData(60, 4, 3);
    const loo = fitRidge(x, y, { penalty: 'loo' });
    const gcv = fitRidge(x, y, { penalty: 'gcv' });
    for (const model of [loo, gcv]) {
      for (const lambda of model.penalty) expect(lambda).toBeGreaterThan(0);
    }
    // GCV and LOO pick penalties of the same order on well-spread data.
    gcv.penalty.forEach((lambda, o) => expect(Math.abs(Math.log10(lambda / loo.penalty[o]))).toBeLessThan(1));
    // The chosen LOO penalty is a local minimum of the leave-one-out error.
    const looMse = (lambda: number, o: number) => {
      const r = ridgeLeaveOneOutResiduals(x, y, lambda);
      let s = 0;
      for (let i = 0; i < x.rows; i++) s += r.data[i * 2 + o] ** 2;
      return s / x.rows;
    };
    loo.penalty.forEach((lambda, o) => {
      expect(looMse(lambda, o)).toBeLessThanOrEqual(looMse(lambda * 1.5, o) + 1e-12);
      expect(looMse(lambda, o)).toBeLessThanOrEqual(looMse(lambda / 1.5, o) + 1e-12);
    });
  });

  it('estimates the noise level and widens the interval away from the data', () => {
    const { x, y } = linearData(2000, 5, 0.5);
    const model = fitRidge(x, y);
    const near = model.predict(matrixFromRows([[0, 0, 0, 0]]));
    expect(near.std.data[0]).toBeGreaterThan(0.5 * 0.95);
    expect(near.std.data[0]).toBeLessThan(0.5 * 1.05);
    const far = model.predict(matrixFromRows([[30, 30, 30, 30]]));
    expect(far.stdLatent.data[0]).toBeGreaterThan(10 * near.stdLatent.data[0]);
  });

  it('works with more inputs than rows', () => {
    const rng = createRng(6);
    const x = createMatrix(8, 20, Float64Array.from({ length: 160 }, () => rng.normal()));
    const y = createMatrix(8, 1, Float64Array.from({ length: 8 }, () => rng.normal()));
    const prediction = fitRidge(x, y).predict(x);
    for (const value of [...prediction.mean.data, ...prediction.std.data]) expect(Number.isFinite(value)).toBe(true);
  });

  it('round-trips through JSON', () => {
    const { x, y } = linearData(30, 7, 0.3);
    const model = fitRidge(x, y);
    const restored = ridgeFromJSON(JSON.parse(JSON.stringify(model)));
    const a = model.predict(x);
    const b = restored.predict(x);
    expect(Array.from(b.mean.data)).toEqual(Array.from(a.mean.data));
    expect(Array.from(b.std.data)).toEqual(Array.from(a.std.data));
  });

  it('matches scikit-learn on the diabetes data', () => {
    const { x: raw, y } = readXY('diabetes.csv', ['target']);
    const x = standardizeColumns(raw);
    // numpy.linalg.lstsq on [1, standardized X]: the least-squares coefficients.
    const ols = [-0.47612079, -11.40686692, 24.72654886, 15.42940413, -37.67995261, 22.67616277, 4.80613814, 8.42203936, 35.73444577, 3.21667372];
    const nearOls = fitRidge(x, y, { penalty: 1e-9 });
    ols.forEach((b, j) => expect(nearOls.coefficients.data[j]).toBeCloseTo(b, 6));
    expect(nearOls.intercept[0]).toBeCloseTo(152.13348416, 6);
    // sklearn RidgeCV(alphas=np.logspace(-3, 3, 2000)) picks α = 1.83076 by the same leave-one-out
    // error, with these coefficients; our search is continuous, so it lands within the grid step.
    const sklearnAlpha = 1.8307595811235444;
    const sklearnCoef = [-0.40334526, -11.28353577, 24.78450359, 15.33631055, -25.83669834, 13.2814072, -0.39852187, 7.0321845, 31.20897292, 3.29998028];
    const atAlpha = fitRidge(x, y, { penalty: sklearnAlpha });
    sklearnCoef.forEach((b, j) => expect(atAlpha.coefficients.data[j]).toBeCloseTo(b, 6));
    const chosen = fitRidge(x, y).penalty[0];
    expect(Math.abs(Math.log(chosen / sklearnAlpha))).toBeLessThan(0.01);
  });
});
