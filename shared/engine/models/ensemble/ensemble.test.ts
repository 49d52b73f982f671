import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateWasmMlpKernels } from '../../kernels/wasm-mlp.ts';
import { tfjsMlpKernels } from '../../kernels/tfjs/mlp-tfjs.ts';
import { makeFriedman1 } from '../../validate/synthetic.ts';
import { Z_95, intervalCoverage, rSquared } from '../../validate/metrics.ts';
import { type Matrix, column, createMatrix } from '../matrix.ts';
import { createRng } from '../rng.ts';
import { chooseArchitecture } from './architecture.ts';
import { type EnsembleProgress, type EnsembleState, ensembleFactory, ensembleFromJSON, fitEnsemble } from './ensemble.ts';
import { decodeFloat32, encodeFloat32 } from './serialize.ts';

const WASM_DIST = new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);

beforeAll(async () => {
  setWasmPaths(decodeURIComponent(WASM_DIST.pathname));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
});

/** y = sin(3x) + x² on x uniform in [0, 1]: a smooth one-input problem the reference trains fast. */
function smallProblem(rows: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = createRng(seed);
  const x = createMatrix(rows, 1);
  const y = createMatrix(rows, 2);
  for (let i = 0; i < rows; i++) {
    const v = rng.next();
    x.data[i] = v;
    y.data[2 * i] = Math.sin(3 * v) + 0.05 * rng.normal();
    y.data[2 * i + 1] = -2 * v * v + 0.05 * rng.normal();
  }
  return { x, y };
}

describe('deep ensemble', () => {
  it('chooses a small network for few rows, with strong weight decay, and a deep averaged one from 200 rows', () => {
    const shallow = { members: 8, averaging: 0, annealing: false };
    expect(chooseArchitecture(30)).toEqual({ hidden: [16], weightDecay: 0.1, ...shallow });
    expect(chooseArchitecture(150)).toEqual({ hidden: [32, 32], weightDecay: 0.3, ...shallow });
    const deep = { hidden: [16, 16, 16, 16, 16], members: 16, averaging: 0.9, annealing: true };
    expect(chooseArchitecture(300)).toEqual({ ...deep, weightDecay: 0.3 });
    expect(chooseArchitecture(5000)).toEqual({ ...deep, weightDecay: 0.2 });
  });

  it('reaches R² ≥ 0.85 on held-out Friedman #1 (500 rows, TensorFlow.js on wasm)', () => {
    // Noise 1 against signal variance ≈ 23.8 caps R² near 0.96; this setup measured 0.943 on the wasm
    // kernels (0.920 with the weight decay of 0.01 used before). 0.85 leaves room for other seeds,
    // kernels and backends. The shallow network of smaller tables keeps this test quick: at the
    // defaults for 500 rows (5 × 16, 16 members) TensorFlow.js gives the same 0.9531 as our wasm
    // kernels but takes 90 s here (the next test checks those defaults on the wasm kernels).
    const train = makeFriedman1(500, 10, 1, 1);
    const test = makeFriedman1(2000, 10, 1, 2);
    const before = tf.memory().numTensors;
    const shallow = { hidden: [32, 32], members: 8, averaging: 0, annealing: false };
    const model = fitEnsemble(train.x, train.y, shallow, { seed: 3, kernels: tfjsMlpKernels });
    const prediction = model.predict(test.x);
    expect(tf.memory().numTensors).toBe(before);
    expect(model.hidden).toEqual([32, 32]);
    expect(model.members).toBe(8);
    expect(rSquared(test.y.data, prediction.mean.data)).toBeGreaterThan(0.85);
    // Conservative rather than overconfident: the held-out residuals include member error.
    const coverage = intervalCoverage(test.y.data, prediction.mean.data, prediction.std.data, Z_95);
    expect(coverage).toBeGreaterThan(0.9);
    expect(coverage).toBeLessThan(1);
  }, 60_000);

  it('reaches R² ≥ 0.956 on held-out Friedman #1 with 1,000 rows on the wasm kernels (seed 3), cutting the five noise inputs', async () => {
    // The network alone, at the product's defaults (5 × 16, 16 members, averaged weights and an
    // annealing phase from 200 rows). Measured 0.9565–0.9567 over seeds 1–3, against 0.9533–0.9537
    // without input selection (the 2 × 64 network used before: 0.9562–0.9563 and 0.9511–0.9517); the
    // true function scores 0.9583 on these test rows (the noise) and the ARD Gaussian process 0.9572.
    // scikit-learn's MLP peer reaches 0.916 in 5-fold CV on 1,000 rows.
    const kernels = await instantiateWasmMlpKernels(readFileSync(new URL('../../../../wasm/build/kernels.wasm', import.meta.url)));
    const train = makeFriedman1(1000, 10, 1, 1);
    const test = makeFriedman1(2000, 10, 1, 2);
    const model = fitEnsemble(train.x, train.y, {}, { seed: 3, kernels });
    expect(model.hidden).toEqual([16, 16, 16, 16, 16]);
    expect(model.members).toBe(16);
    const r2 = rSquared(test.y.data, model.predict(test.x).mean.data);
    expect(r2).toBeGreaterThanOrEqual(0.956);
    // Inputs 6–10 of Friedman #1 are noise: all five are cut, none of the first five.
    expect(model.training?.droppedInputs).toEqual([5, 6, 7, 8, 9]);
    const importance = model.training?.inputImportance ?? [];
    expect(Math.min(...importance.slice(0, 5))).toBeGreaterThan(0.05);
    // A cut input plays no part: changing it leaves every prediction as it was.
    const changed = createMatrix(test.x.rows, 10, test.x.data.map((v, q) => (q % 10 >= 5 ? 1 - v : v)));
    expect(model.predict(changed).mean.data).toEqual(model.predict(test.x).mean.data);
    // Without selection the same seed does worse.
    const plain = fitEnsemble(train.x, train.y, { inputSelection: false }, { seed: 3, kernels });
    expect(plain.training?.droppedInputs).toEqual([]);
    expect(r2 - rSquared(test.y.data, plain.predict(test.x).mean.data)).toBeGreaterThan(0.002);
  }, 60_000);

  it('keeps an input that only one of several outputs needs', async () => {
    // y₁ = sin(3x₁) and y₂ = x₂, with noise; x₃ is noise. Shuffling x₂ costs y₂ about twice its
    // explained share of the variance and y₁ nothing: the importance is the larger, not the mean.
    const kernels = await instantiateWasmMlpKernels(readFileSync(new URL('../../../../wasm/build/kernels.wasm', import.meta.url)));
    const rng = createRng(12);
    const rows = 200;
    const x = createMatrix(rows, 3, Float64Array.from({ length: rows * 3 }, () => rng.next()));
    const y = createMatrix(rows, 2);
    for (let i = 0; i < rows; i++) {
      y.data[2 * i] = Math.sin(3 * x.data[3 * i]) + 0.1 * rng.normal();
      y.data[2 * i + 1] = x.data[3 * i + 1] + 0.1 * rng.normal();
    }
    const fractions: number[] = [];
    const model = fitEnsemble(x, y, {}, { seed: 2, kernels, onProgress: (p) => fractions.push(p.fraction) });
    expect(model.training?.droppedInputs).toEqual([2]);
    const importance = model.training?.inputImportance ?? [];
    expect(importance[0]).toBeGreaterThan(1.5);
    expect(importance[1]).toBeGreaterThan(1.5);
    expect(Math.abs(importance[2])).toBeLessThan(0.005);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
  }, 30_000);

  it('fits several outputs and is more uncertain far outside the data', () => {
    const { x, y } = smallProblem(40, 5);
    const model = fitEnsemble(x, y, {}, { seed: 1 });
    expect(model.hidden).toEqual([16]);
    const grid = createMatrix(21, 1, Float64Array.from({ length: 21 }, (_, i) => i / 20));
    const inside = model.predict(grid);
    const sinTruth = column(grid, 0).map((v) => Math.sin(3 * v));
    const quadTruth = column(grid, 0).map((v) => -2 * v * v);
    expect(rSquared(sinTruth, column(inside.mean, 0))).toBeGreaterThan(0.95);
    expect(rSquared(quadTruth, column(inside.mean, 1))).toBeGreaterThan(0.95);
    const far = model.predict(createMatrix(2, 1, Float64Array.from([-4, 5])));
    for (let t = 0; t < 2; t++) {
      const insideLatent = Math.max(...column(inside.stdLatent, t));
      for (let i = 0; i < 2; i++) {
        expect(far.stdLatent.data[i * 2 + t]).toBeGreaterThan(3 * insideLatent);
        expect(far.std.data[i * 2 + t]).toBeGreaterThan(Math.max(...column(inside.std, t)));
      }
    }
  });

  it("anneals: no member's held-out loss rises, some fall, and the phase runs on after the others", () => {
    const { x, y } = smallProblem(60, 4);
    const options = { members: 4, maxEpochs: 60, inputSelection: false, averaging: 0 };
    const plain = fitEnsemble(x, y, { ...options, annealing: false }, { seed: 5 });
    const fractions: number[] = [];
    const annealed = fitEnsemble(x, y, { ...options, annealing: true }, { seed: 5, onProgress: (p) => fractions.push(p.fraction) });
    const before = plain.training!.bestValLosses;
    const after = annealed.training!.bestValLosses;
    after.forEach((loss, k) => expect(loss).toBeLessThanOrEqual(before[k]));
    expect(after.some((loss, k) => loss < before[k])).toBe(true);
    expect(annealed.training!.epochs).toBeGreaterThan(plain.training!.epochs);
    expect(Math.max(...annealed.training!.bestEpochs)).toBeGreaterThan(plain.training!.epochs);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
  });

  it('scores and keeps averaged weights when averaging, and checks the setting', () => {
    const { x, y } = smallProblem(60, 4);
    const options = { members: 3, maxEpochs: 40, inputSelection: false, annealing: false };
    const plain = fitEnsemble(x, y, { ...options, averaging: 0 }, { seed: 5 });
    const averaged = fitEnsemble(x, y, { ...options, averaging: 0.9 }, { seed: 5 });
    // The same training steps, but the kept parameters (and so every prediction) differ.
    expect(averaged.toJSON().params).not.toBe(plain.toJSON().params);
    const grid = createMatrix(11, 1, Float64Array.from({ length: 11 }, (_, i) => i / 10));
    const a = averaged.predict(grid).mean.data;
    const b = plain.predict(grid).mean.data;
    expect(a.some((v, q) => Math.abs(v - b[q]) > 1e-4)).toBe(true);
    // Both still fit: the averaged weights are a smoothed path, not a different model.
    expect(rSquared(column(grid, 0).map((v) => Math.sin(3 * v)), column(averaged.predict(grid).mean, 0))).toBeGreaterThan(0.8);
    expect(() => fitEnsemble(x, y, { ...options, averaging: 1 })).toThrow(/averaging/);
    expect(() => fitEnsemble(x, y, { ...options, averaging: -0.1 })).toThrow(/averaging/);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const { x, y } = smallProblem(30, 2);
    const options = { members: 3, maxEpochs: 20 };
    const a = fitEnsemble(x, y, options, { seed: 7 }).toJSON();
    const b = fitEnsemble(x, y, options, { seed: 7 }).toJSON();
    const c = fitEnsemble(x, y, options, { seed: 8 }).toJSON();
    expect(b).toEqual(a);
    expect(c.params).not.toBe(a.params);
  });

  it('trains the same model with the reference and TensorFlow.js kernels', () => {
    const { x, y } = smallProblem(30, 3);
    const options = { members: 2, maxEpochs: 3 };
    const reference = fitEnsemble(x, y, options, { seed: 4 }).predict(x);
    const tfjs = fitEnsemble(x, y, options, { seed: 4, kernels: tfjsMlpKernels }).predict(x);
    for (let q = 0; q < reference.mean.data.length; q++) {
      expect(tfjs.mean.data[q]).toBeCloseTo(reference.mean.data[q], 3);
      expect(tfjs.std.data[q]).toBeCloseTo(reference.std.data[q], 3);
    }
  });

  it('round-trips through JSON to identical predictions', () => {
    const { x, y } = smallProblem(30, 4);
    for (const loss of ['mse', 'gaussian-nll'] as const) {
      const model = fitEnsemble(x, y, { members: 3, maxEpochs: 15, loss }, { seed: 2 });
      const state = JSON.parse(JSON.stringify(model.toJSON())) as EnsembleState;
      const restored = ensembleFromJSON(state);
      expect(restored.predict(x)).toEqual(model.predict(x));
      expect(ensembleFromJSON(state, tfjsMlpKernels).predict(x).mean.data[0]).toBeCloseTo(model.predict(x).mean.data[0], 5);
      expect(() => ensembleFromJSON({ ...state, hidden: [17] })).toThrow(RangeError);
    }
  });

  it('stops at once when aborted, freeing the kernel state', () => {
    const { x, y } = smallProblem(40, 6);
    const controller = new AbortController();
    const seen: EnsembleProgress[] = [];
    const before = tf.memory().numTensors;
    const fit = () =>
      fitEnsemble(x, y, {}, {
        seed: 1,
        kernels: tfjsMlpKernels,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.epoch === 2) controller.abort();
        },
      });
    expect(fit).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(seen.map((p) => p.epoch)).toEqual([1, 2]);
    expect(Number.isFinite(seen[1].loss) && Number.isFinite(seen[1].valLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(fit).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(seen).toHaveLength(2);
  });

  it('works as a model factory reporting fractions', () => {
    const { x, y } = smallProblem(20, 8);
    const fractions: number[] = [];
    const model = ensembleFactory({ members: 2, maxEpochs: 10 }).fit(x, y, { seed: 1, onProgress: (f) => fractions.push(f) });
    expect(model.kind).toBe('mlp-ensemble');
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]))).toBe(true);
    expect(() => fitEnsemble(createMatrix(4, 1), createMatrix(4, 1))).toThrow(RangeError);
  });

  it('encodes float32 parameters exactly', () => {
    const values = Float32Array.from([0, -0, 1.5, -3.25e-20, 3.4e38, Math.fround(Math.PI)]);
    expect(Array.from(decodeFloat32(encodeFloat32(values)))).toEqual(Array.from(values));
    expect(encodeFloat32(Float32Array.from([1]))).toBe('AACAPw==');
  });
});
