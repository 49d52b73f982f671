import { describe, expect, it } from 'vitest';
import { makeFriedman1, standardizeColumns } from '../validate/synthetic.ts';
import { crossValidate } from '../validate/cross-validate.ts';
import { COVARIANCE_KINDS } from './covariance.ts';
import { fitGp, gpFactory, gpFromJSON, gpLogMarginalLikelihood } from './gp.ts';
import { createMatrix, selectRows } from './matrix.ts';
import { createRng } from './rng.ts';

function smoothData(rows: number, seed: number) {
  const rng = createRng(seed);
  const x = createMatrix(rows, 2);
  const y = createMatrix(rows, 2);
  for (let i = 0; i < rows; i++) {
    const a = rng.uniform(-2, 2);
    const b = rng.uniform(-2, 2);
    x.data[i * 2] = a;
    x.data[i * 2 + 1] = b;
    y.data[i * 2] = Math.sin(1.5 * a) + 0.5 * b * b;
    y.data[i * 2 + 1] = 3 * Math.cos(a + b) - 2;
  }
  return { x, y };
}

describe('gpLogMarginalLikelihood', () => {
  for (const kernel of COVARIANCE_KINDS) {
    it(`has an analytic gradient that matches central differences (${kernel})`, () => {
      const { x: raw, y } = makeFriedman1(40, 6, 1, 3);
      const x = standardizeColumns(raw);
      const target = Array.from(y.data, (v) => (v - 14) / 5);
      const cases = [
        { ard: true, linear: false, theta: [0.2, 0.6, 1.1, 1.4, 2, 2.5, 0.3, -2.1] },
        { ard: false, linear: false, theta: [0.9, -0.4, -1.6] },
        { ard: true, linear: true, theta: [0.2, 0.6, 1.1, 1.4, 2, 2.5, 0.3, -2.1, -2.5] },
        { ard: false, linear: true, theta: [0.9, -0.4, -1.6, -1.2] },
      ];
      for (const { ard, linear, theta } of cases) {
        const structure = { kernel, ard, linear };
        const gradient = new Float64Array(theta.length);
        gpLogMarginalLikelihood(x, target, structure, theta, gradient);
        const h = 1e-5;
        theta.forEach((_, k) => {
          const up = theta.slice();
          const down = theta.slice();
          up[k] += h;
          down[k] -= h;
          const numeric =
            (gpLogMarginalLikelihood(x, target, structure, up) - gpLogMarginalLikelihood(x, target, structure, down)) / (2 * h);
          expect(Math.abs(gradient[k] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
        });
      }
    });
  }

  it('equals the closed form for two points', () => {
    // K = [[s + n, s·k], [s·k, s + n]] with k = exp(−½ (Δ/ℓ)²): log N(y; 0, K) by hand.
    const x = createMatrix(2, 1, Float64Array.from([0, 1]));
    const y = [0.5, -1];
    const [logL, logS, logN] = [Math.log(0.8), Math.log(1.3), Math.log(0.2)];
    const s = Math.exp(logS);
    const noise = Math.exp(logN);
    const c = s * Math.exp(-0.5 / 0.64);
    const a = s + noise;
    const det = a * a - c * c;
    const quadratic = (a * y[0] * y[0] - 2 * c * y[0] * y[1] + a * y[1] * y[1]) / det;
    const expected = -0.5 * quadratic - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    expect(gpLogMarginalLikelihood(x, y, { kernel: 'rbf', ard: false, linear: false }, [logL, logS, logN])).toBeCloseTo(expected, 12);
  });
});

describe('fitGp', () => {
  for (const kernel of COVARIANCE_KINDS) {
    it(`interpolates noiseless data when the noise is tiny (${kernel})`, () => {
      const { x, y } = smoothData(30, 1);
      const model = fitGp(x, y, { kernel, noise: 1e-10, restarts: 1 }, { seed: 1 });
      const prediction = model.predict(x);
      for (let k = 0; k < y.data.length; k++) {
        expect(Math.abs(prediction.mean.data[k] - y.data[k])).toBeLessThan(1e-4);
        expect(prediction.stdLatent.data[k]).toBeLessThan(1e-3);
      }
    });
  }

  it('is deterministic for a seed and round-trips through JSON', () => {
    const { x, y } = smoothData(25, 2);
    const noisy = createMatrix(25, 2, y.data.map((v, k) => v + 0.05 * Math.sin(7 * k)));
    const a = fitGp(x, noisy, { restarts: 2 }, { seed: 5 });
    const b = fitGp(x, noisy, { restarts: 2 }, { seed: 5 });
    expect(b.toJSON()).toEqual(a.toJSON());
    const restored = gpFromJSON(JSON.parse(JSON.stringify(a)));
    const probe = smoothData(10, 3).x;
    const pa = a.predict(probe);
    const pb = restored.predict(probe);
    for (let k = 0; k < pa.mean.data.length; k++) {
      expect(pb.mean.data[k]).toBeCloseTo(pa.mean.data[k], 12);
      expect(pb.std.data[k]).toBeCloseTo(pa.std.data[k], 10);
    }
  });

  it('grows the posterior std away from the data and adds the noise to the predictive std', () => {
    const { x, y } = smoothData(40, 4);
    const model = fitGp(x, y, { noise: 0.01, restarts: 1 }, { seed: 1 });
    const far = model.predict(createMatrix(1, 2, Float64Array.from([30, 30])));
    // Far away the posterior reverts to the prior: std² = scale² (σ_f² + σ_n²).
    const { targetScale, hyperparameters } = model.toJSON().perOutput[0];
    expect(far.stdLatent.data[0]).toBeCloseTo(targetScale * Math.sqrt(hyperparameters.signalVariance), 6);
    expect(far.std.data[0] ** 2).toBeCloseTo(far.stdLatent.data[0] ** 2 + targetScale ** 2 * 0.01, 6);
    expect(far.mean.data[0]).toBeCloseTo(model.toJSON().perOutput[0].targetMean, 6);
  });

  it('reaches a cross-validated R² of 0.94 on 300 rows of Friedman #1', () => {
    // Unit-test size: 300 rows instead of 1000 (the bench runs the full problem). With 240
    // training rows per fold, scikit-learn's GP ARD reaches 0.946–0.957 (three seeds of
    // make_friedman1(300), 5-fold CV) and ours 0.950 here; the noise caps R² near 0.96.
    const { x: raw, y } = makeFriedman1(300, 10, 1, 11);
    const x = standardizeColumns(raw);
    const result = crossValidate(gpFactory({ kernel: 'rbf', restarts: 1 }), x, y, { folds: 5, seed: 1 });
    expect(result.outputs[0].r2FoldMean).toBeGreaterThan(0.94);
    expect(result.outputs[0].coverage95).toBeGreaterThan(0.92);
    expect(result.outputs[0].coverage95).toBeLessThan(0.98);
  });

  it('learns long length-scales for inputs that do not matter', () => {
    const { x: raw, y } = makeFriedman1(200, 7, 0.5, 12);
    const model = fitGp(standardizeColumns(raw), y, { restarts: 1 }, { seed: 2 });
    const scales = model.hyperparameters[0].lengthScales;
    const relevant = Math.max(...scales.slice(0, 5));
    for (const irrelevant of scales.slice(5)) expect(irrelevant).toBeGreaterThan(5 * relevant);
    expect(() => model.predict(selectRows(raw, [0]))).not.toThrow();
  });
});

describe('mean-only prediction', () => {
  it('gives exactly the means of predict, without the std', () => {
    const rng = createRng(12);
    const rows = 40;
    const x = createMatrix(rows, 2);
    const y = createMatrix(rows, 1);
    for (let i = 0; i < rows; i++) {
      x.data[2 * i] = rng.normal();
      x.data[2 * i + 1] = rng.normal();
      y.data[i] = Math.sin(x.data[2 * i]) + 0.1 * rng.normal();
    }
    const model = fitGp(x, y, { restarts: 1 });
    const probe = createMatrix(300, 2, Float64Array.from({ length: 600 }, () => rng.normal()));
    expect(model.predictMean!(probe).data).toEqual(model.predict(probe).mean.data);
  });
});

describe('subset of data', () => {
  it('learns from a seeded random subset of maxRows rows, and still predicts well', () => {
    const { x, y } = smoothData(150, 8);
    const model = fitGp(x, y, { kernel: 'rbf', ard: false, maxRows: 60, restarts: 1 }, { seed: 3 });
    const state = model.toJSON();
    expect(state.x.length).toBe(60 * 2);
    // Every kept row is one of the table's, in the table's order.
    const rows = Array.from({ length: 60 }, (_, k) => {
      const i = Array.from({ length: 150 }, (_, r) => r).find((r) => x.data[r * 2] === state.x[k * 2] && x.data[r * 2 + 1] === state.x[k * 2 + 1]);
      expect(i).toBeDefined();
      return i!;
    });
    for (let k = 1; k < rows.length; k++) expect(rows[k]).toBeGreaterThan(rows[k - 1]);
    // The same seed keeps the same rows; another seed others.
    expect(fitGp(x, y, { kernel: 'rbf', ard: false, maxRows: 60, restarts: 1 }, { seed: 3 }).toJSON().x).toEqual(state.x);
    expect(fitGp(x, y, { kernel: 'rbf', ard: false, maxRows: 60, restarts: 1 }, { seed: 4 }).toJSON().x).not.toEqual(state.x);
    // 60 rows of a smooth function are plenty: the held-out error is small.
    const test = smoothData(100, 9);
    const p = model.predict(test.x);
    let se = 0;
    let ss = 0;
    for (let i = 0; i < 100; i++) {
      se += (p.mean.data[i * 2] - test.y.data[i * 2]) ** 2;
      ss += test.y.data[i * 2] ** 2;
    }
    expect(se / ss).toBeLessThan(0.01);
    // Below the cap every row is used.
    expect(fitGp(x, y, { kernel: 'rbf', ard: false, restarts: 1 }, { seed: 3 }).toJSON().x.length).toBe(150 * 2);
    expect(() => fitGp(x, y, { maxRows: 1 })).toThrow(/maxRows/);
  });
});
