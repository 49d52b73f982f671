import { describe, expect, it } from 'vitest';
import {
  ADAM_BETA1,
  type MlpShape,
  copyMemberParams,
  headVariance,
  memberLosses,
  mlpLayout,
  networkOutputs,
  referenceMlpKernels as kernels,
  summarizeMembers,
} from './mlp-reference.ts';
import { seededFloat32, seededParams } from './self-test.ts';

/** Mean training loss of every member over the rows of one batch, from predict. */
function batchLosses(shape: MlpShape, params: Float32Array, x: Float32Array, y: Float32Array, indices: Int32Array): Float64Array {
  const state = kernels.createState(shape, params);
  const rows = x.length / shape.inputs;
  const out = kernels.predict(state, x, rows);
  kernels.dispose(state);
  const batch = indices.length / shape.members;
  return memberLosses(shape, out, rows, y, (k) => indices.subarray(k * batch, (k + 1) * batch));
}

describe('MLP ensemble layout', () => {
  it('places each layer of all members in one block', () => {
    const layout = mlpLayout({ members: 3, inputs: 2, hidden: [4], targets: 1, activation: 'silu', loss: 'gaussian-nll' });
    expect(layout.layers).toEqual([
      { fanIn: 2, fanOut: 4, weightOffset: 0, biasOffset: 24 },
      { fanIn: 4, fanOut: 2, weightOffset: 36, biasOffset: 60 },
    ]);
    expect(layout.paramsPerMember).toBe(2 * 4 + 4 + 4 * 2 + 2);
    expect(layout.size).toBe(3 * layout.paramsPerMember);
  });

  it('copies one member between parameter arrays', () => {
    const shape: MlpShape = { members: 2, inputs: 1, hidden: [2], targets: 1, activation: 'relu', loss: 'mse' };
    const layout = mlpLayout(shape);
    const source = Float32Array.from({ length: layout.size }, (_, q) => q + 1);
    const target = new Float32Array(layout.size);
    copyMemberParams(layout, source, target, 1, 0);
    // W₀ member 1 = [3, 4], b₀ member 1 = [7, 8], W₁ member 1 = [11, 12], b₁ member 1 = [14].
    expect(Array.from(target)).toEqual([3, 4, 0, 0, 7, 8, 0, 0, 11, 12, 0, 0, 14, 0]);
  });
});

describe('reference MLP kernels', () => {
  it('computes a hand-worked forward pass', () => {
    // One member, 2 → 2 (ReLU) → 1: z₁ = x·W₀ + b₀, a = relu(z₁), out = a·W₁ + b₁.
    const shape: MlpShape = { members: 1, inputs: 2, hidden: [2], targets: 1, activation: 'relu', loss: 'mse' };
    const params = Float32Array.from([1, -1, 2, 1, 0.5, 0, 3, -2, 1]);
    const state = kernels.createState(shape, params);
    // x = (1, 2): z₁ = (1 + 4 + 0.5, −1 + 2 + 0) = (5.5, 1); out = 16.5 − 2 + 1 = 15.5.
    // x = (−1, 0): z₁ = (−0.5, 1); a = (0, 1); out = −2 + 1 = −1.
    expect(Array.from(kernels.predict(state, Float32Array.from([1, 2, -1, 0]), 2))).toEqual([15.5, -1]);
    kernels.dispose(state);
  });

  it('moves every parameter by the learning rate on the first AdamW step', () => {
    // Step 1: m̂ = g and v̂ = g², so the Adam update is sign(g) (|g| ≫ ε); decay adds lr·λ·θ to weights.
    const shape: MlpShape = { members: 2, inputs: 3, hidden: [5, 4], targets: 2, activation: 'silu', loss: 'mse' };
    const params = seededParams(shape, 11);
    const x = seededFloat32(6 * 3, 5);
    const y = seededFloat32(6 * 2, 6);
    const indices = Int32Array.from([0, 1, 2, 3, 5, 4, 3, 0]);
    const state = kernels.createState(shape, params);
    kernels.trainStep(state, x, y, indices, 0.01, 0.5);
    const { params: after, firstMoment, step } = kernels.snapshot(state);
    expect(step).toBe(1);
    const layout = mlpLayout(shape);
    for (const { weightOffset, biasOffset, fanOut } of layout.layers) {
      for (let q = weightOffset; q < biasOffset + shape.members * fanOut; q++) {
        const decay = q < biasOffset ? 0.5 : 0;
        const g = firstMoment[q] / (1 - ADAM_BETA1);
        expect(after[q]).toBeCloseTo(params[q] - 0.01 * (Math.sign(g) + decay * params[q]), 5);
      }
    }
    kernels.dispose(state);
  });

  for (const loss of ['mse', 'gaussian-nll'] as const) {
    for (const activation of ['silu', 'relu'] as const) {
      it(`has gradients that match central differences (${loss}, ${activation})`, () => {
        const shape: MlpShape = { members: 2, inputs: 3, hidden: [6, 5], targets: 2, activation, loss };
        const layout = mlpLayout(shape);
        const params = seededParams(shape, 3);
        const x = seededFloat32(8 * 3, 21).map((v) => 3 * v);
        const y = seededFloat32(8 * 2, 22);
        const indices = Int32Array.from([0, 1, 2, 3, 4, 7, 6, 5, 4, 3]);
        const state = kernels.createState(shape, params);
        kernels.trainStep(state, x, y, indices, 1e-3, 0);
        const gradient = kernels.snapshot(state).firstMoment.map((m) => m / (1 - ADAM_BETA1));
        kernels.dispose(state);
        const h = 1e-2;
        let checked = 0;
        for (let q = 0; q < layout.size; q += 3) {
          const member = memberOf(shape, q);
          const plus = Float32Array.from(params);
          const minus = Float32Array.from(params);
          plus[q] += h;
          minus[q] -= h;
          const numeric = (batchLosses(shape, plus, x, y, indices)[member] - batchLosses(shape, minus, x, y, indices)[member]) / (2 * h);
          // ReLU kinks inside ±h make the difference quotient meaningless; skip those few.
          if (activation === 'relu' && Math.abs(numeric - gradient[q]) > 0.05 * Math.abs(numeric) + 1e-3) continue;
          expect(gradient[q]).toBeCloseTo(numeric, 3);
          checked++;
        }
        expect(checked).toBeGreaterThan(layout.size / 3 - 5);
      });
    }
  }

  it('summarizes members into mean, spread and mixture noise', () => {
    const shape: MlpShape = { members: 2, inputs: 1, hidden: [1], targets: 1, activation: 'silu', loss: 'gaussian-nll' };
    expect(networkOutputs(shape)).toBe(2);
    // Member outputs (μ, raw) for one row: (1, 0) and (3, 2).
    const summary = summarizeMembers(shape, Float32Array.from([1, 0, 3, 2]), 1);
    expect(summary.mean[0]).toBe(2);
    expect(summary.memberVariance[0]).toBe(1);
    expect(summary.noiseVariance[0]).toBeCloseTo((headVariance(0) + headVariance(2)) / 2, 12);
    expect(headVariance(0)).toBeCloseTo(Math.LN2 + 1e-6, 12);
  });
});

function memberOf(shape: MlpShape, q: number): number {
  for (const { fanIn, fanOut, weightOffset, biasOffset } of mlpLayout(shape).layers) {
    if (q >= weightOffset && q < biasOffset) return Math.floor((q - weightOffset) / (fanIn * fanOut));
    if (q >= biasOffset && q < biasOffset + shape.members * fanOut) return Math.floor((q - biasOffset) / fanOut);
  }
  throw new RangeError('Index outside the layout');
}
