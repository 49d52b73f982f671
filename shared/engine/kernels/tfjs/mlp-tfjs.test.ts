import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type MlpShape, mlpLayout, referenceMlpKernels } from '../mlp-reference.ts';
import { seededFloat32, seededParams } from '../self-test.ts';
import { tfjsMlpKernels } from './mlp-tfjs.ts';

const WASM_DIST = new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);

beforeAll(() => {
  setWasmPaths(decodeURIComponent(WASM_DIST.pathname));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
});

/** Largest |a − b| over the RMS of b: a normwise relative error that near-zero entries cannot inflate. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let squares = 0;
  for (let q = 0; q < b.length; q++) {
    worst = Math.max(worst, Math.abs(a[q] - b[q]));
    squares += b[q] * b[q];
  }
  return worst / Math.sqrt(squares / b.length);
}

const shapes: MlpShape[] = [
  { members: 1, inputs: 1, hidden: [8], targets: 1, activation: 'silu', loss: 'mse' },
  { members: 4, inputs: 10, hidden: [32, 32], targets: 3, activation: 'silu', loss: 'gaussian-nll' },
  { members: 4, inputs: 5, hidden: [16], targets: 2, activation: 'relu', loss: 'mse' },
  { members: 1, inputs: 7, hidden: [24, 8], targets: 1, activation: 'relu', loss: 'gaussian-nll' },
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`TensorFlow.js MLP kernels on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });

    for (const shape of shapes) {
      const label = `${shape.members}× ${shape.inputs}-${shape.hidden.join('-')}-${shape.targets} ${shape.activation} ${shape.loss}`;
      it(`takes the same training step as the reference (${label})`, () => {
        const params = seededParams(shape, shape.inputs * 7 + shape.members);
        const poolRows = 40;
        const x = seededFloat32(poolRows * shape.inputs, 3).map((v) => 3 * v);
        const y = seededFloat32(poolRows * shape.targets, 4);
        const batch = 16;
        const indices = Int32Array.from({ length: shape.members * batch }, (_, q) => (q * 7 + 3) % poolRows);
        const before = tf.memory().numTensors;
        const expected = referenceMlpKernels.createState(shape, params);
        const actual = tfjsMlpKernels.createState(shape, params);
        // Two steps: the first makes the moments from gradients, the second uses the bias-corrected ratio.
        for (let s = 0; s < 2; s++) {
          referenceMlpKernels.trainStep(expected, x, y, indices, 0.01, 0.1);
          tfjsMlpKernels.trainStep(actual, x, y, indices, 0.01, 0.1);
        }
        const a = tfjsMlpKernels.snapshot(actual);
        const b = referenceMlpKernels.snapshot(expected);
        expect(a.step).toBe(2);
        expect(relativeError(a.params, b.params)).toBeLessThan(1e-4);
        expect(relativeError(a.firstMoment, b.firstMoment)).toBeLessThan(1e-4);
        expect(relativeError(a.secondMoment, b.secondMoment)).toBeLessThan(1e-4);

        const rows = 300;
        const query = seededFloat32(rows * shape.inputs, 9).map((v) => 4 * v);
        const predicted = tfjsMlpKernels.predict(actual, query, rows);
        const reference = referenceMlpKernels.predict(expected, query, rows);
        // Parameters differ by float32 rounding after training; compare inference from identical ones.
        referenceMlpKernels.writeParams(expected, a.params);
        expect(relativeError(predicted, referenceMlpKernels.predict(expected, query, rows))).toBeLessThan(1e-5);
        expect(relativeError(predicted, reference)).toBeLessThan(1e-3);

        tfjsMlpKernels.dispose(actual);
        referenceMlpKernels.dispose(expected);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('restores written parameters and frees every tensor', () => {
      const shape = shapes[1];
      const layout = mlpLayout(shape);
      const before = tf.memory().numTensors;
      const params = seededParams(shape, 1);
      const state = tfjsMlpKernels.createState(shape, params);
      const x = seededFloat32(50 * shape.inputs, 2);
      const y = seededFloat32(50 * shape.targets, 3);
      const indices = Int32Array.from({ length: shape.members * 8 }, (_, q) => q % 50);
      tfjsMlpKernels.trainStep(state, x, y, indices, 0.01, 0);
      // A different pool array replaces the cached device copy rather than adding one.
      tfjsMlpKernels.trainStep(state, Float32Array.from(x), y, indices, 0.01, 0);
      tfjsMlpKernels.writeParams(state, params);
      expect(Array.from(tfjsMlpKernels.snapshot(state).params)).toEqual(Array.from(params));
      expect(tfjsMlpKernels.snapshot(state).step).toBe(2);
      // More rows than one inference chunk.
      const rows = 5000;
      const out = tfjsMlpKernels.predict(state, seededFloat32(rows * shape.inputs, 4), rows);
      expect(out.length).toBe(shape.members * rows * 2 * shape.targets);
      const reference = referenceMlpKernels.createState(shape, params);
      const tail = seededFloat32(rows * shape.inputs, 4).subarray((rows - 1) * shape.inputs);
      const last = referenceMlpKernels.predict(reference, tail, 1);
      for (let k = 0; k < shape.members; k++) {
        for (let o = 0; o < 6; o++) expect(out[(k * rows + rows - 1) * 6 + o]).toBeCloseTo(last[k * 6 + o], 4);
      }
      expect(layout.size).toBe(params.length);
      tfjsMlpKernels.dispose(state);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => tfjsMlpKernels.predict(state, x, 50)).toThrow(RangeError);
    });
  });
}
