import { describe, expect, it } from 'vitest';
import { ADAM_BETA1, ADAM_BETA2, type MlpShape, mlpLayout } from '../mlp-reference.ts';
import {
  RECORD_BYTES,
  STEPS_PER_SUBMIT,
  bufferBytes,
  checkBatchIndices,
  checkTrainingFits,
  decayMask,
  foldedGrid,
  layerRecords,
  poolRows,
  predictChunkRows,
  writeRunRecord,
} from './layout.ts';
import {
  adamWKernel,
  deltaBelowKernel,
  forwardKernel,
  outputDeltaKernel,
  summaryKernel,
  weightGradientKernel,
} from './shaders.ts';

const shape: MlpShape = { members: 3, inputs: 2, hidden: [4], targets: 1, activation: 'silu', loss: 'gaussian-nll' };
const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20, maxComputeWorkgroupsPerDimension: 65_535 };

describe('WebGPU kernel layout', () => {
  it('writes one Layer record per 256 bytes with the flat layout offsets', () => {
    const words = layerRecords(shape);
    expect(words.length).toBe((2 * RECORD_BYTES) / 4);
    // mlpLayout: W₀ 3 × 2 × 4 at 0, b₀ at 24; W₁ 3 × 4 × 2 at 36, b₁ at 60 (2 outputs: Gaussian head).
    expect(Array.from(words.subarray(0, 8))).toEqual([2, 4, 0, 24, 1, 3, 0, 0]);
    expect(Array.from(words.subarray(64, 72))).toEqual([4, 2, 36, 60, 1, 3, 1, 1]);
    expect(words.subarray(8, 64).every((w) => w === 0)).toBe(true);
  });

  it('writes Run records with double-precision bias corrections and loss scale rounded once', () => {
    const bytes = new ArrayBuffer(2 * RECORD_BYTES);
    writeRunRecord(bytes, 1, { rows: 33, offset: 99, learningRate: 1e-3, weightDecay: 0.5, step: 3, targets: 2 });
    const u32 = new Uint32Array(bytes, RECORD_BYTES, 8);
    const f32 = new Float32Array(bytes, RECORD_BYTES, 8);
    expect([u32[0], u32[1]]).toEqual([33, 99]);
    expect(f32[2]).toBe(Math.fround(1e-3));
    expect(f32[3]).toBe(0.5);
    expect(f32[4]).toBe(Math.fround(1 - ADAM_BETA1 ** 3)); // 0.271
    expect(f32[5]).toBe(Math.fround(1 - ADAM_BETA2 ** 3)); // 0.002997001
    expect(f32[6]).toBe(Math.fround(1 / 66));
    expect(new Uint32Array(bytes, 0, 64).every((w) => w === 0)).toBe(true);
  });

  it('leaves inference records without an optimizer step or loss', () => {
    const bytes = new ArrayBuffer(RECORD_BYTES);
    writeRunRecord(bytes, 0, { rows: 40, offset: 80, learningRate: 0, weightDecay: 0, step: 0, targets: 0 });
    expect(Array.from(new Float32Array(bytes, 0, 8).subarray(4, 7))).toEqual([1, 1, 0]);
  });

  it('decays weights and not biases', () => {
    const mask = decayMask(mlpLayout(shape));
    expect(mask.length).toBe(66);
    expect(Array.from(mask.subarray(0, 24)).every((v) => v === 1)).toBe(true);
    expect(Array.from(mask.subarray(24, 36)).every((v) => v === 0)).toBe(true);
    expect(Array.from(mask.subarray(36, 60)).every((v) => v === 1)).toBe(true);
    expect(Array.from(mask.subarray(60, 66)).every((v) => v === 0)).toBe(true);
  });

  it('chunks inference rows to the memory budget, in whole tiles', () => {
    const wide: MlpShape = { ...shape, members: 16, inputs: 50, hidden: [128, 64] };
    // 16 members × 128 floats × 4 bytes = 8 KiB a row; 64 MiB / 8 KiB = 8,192 rows.
    expect(predictChunkRows(wide, limits)).toBe(8192);
    expect(predictChunkRows(wide, { ...limits, maxStorageBufferBindingSize: 1_000_000 })).toBe(112);
    expect(predictChunkRows(shape, limits)).toBe(65_536);
    expect(predictChunkRows(wide, { ...limits, maxStorageBufferBindingSize: 100 })).toBe(16);
  });

  it('refuses training steps the device cannot bind', () => {
    expect(() => checkTrainingFits(shape, 1000, 5000, limits)).not.toThrow();
    const small = { ...limits, maxStorageBufferBindingSize: 1_000_000 };
    // 3 members × 1,000 rows × 1,000 hidden units × 4 bytes of activations.
    expect(() => checkTrainingFits({ ...shape, hidden: [1000] }, 1000, 10, small)).toThrow(/12000000-byte buffer.*1000000/);
    // The indices of a block of steps: STEPS_PER_SUBMIT × 3 members × 1,000 rows × 4 bytes.
    expect(() => checkTrainingFits(shape, 1000, 10, small)).not.toThrow();
    expect(() => checkTrainingFits(shape, 1000, 10, { ...small, maxStorageBufferBindingSize: STEPS_PER_SUBMIT * 12_000 - 4 })).toThrow(RangeError);
  });

  it('folds long 1-D grids into two dimensions', () => {
    expect(foldedGrid(66, 256, limits)).toEqual([1, 1]);
    expect(foldedGrid(0, 256, limits)).toEqual([1, 1]);
    expect(foldedGrid(256 * 70_000, 256, limits)).toEqual([65_535, 2]);
  });

  it('validates batch indices and pools like the other kernel sets', () => {
    expect(checkBatchIndices(Int32Array.of(0, 1, 2, 3, 4, 5), 3, 6)).toBe(2);
    expect(() => checkBatchIndices(Int32Array.of(0, 1, 2, 3), 3, 6)).toThrow(/members × batch size/);
    expect(() => checkBatchIndices(Int32Array.of(0, 1, 6), 3, 6)).toThrow(/outside the pool/);
    expect(() => checkBatchIndices(Int32Array.of(0, -1, 2), 3, 6)).toThrow(/outside the pool/);
    expect(poolRows(shape, new Float32Array(10), new Float32Array(5))).toBe(5);
    expect(() => poolRows(shape, new Float32Array(9), new Float32Array(5))).toThrow(/disagree/);
    expect(() => poolRows(shape, new Float32Array(10), new Float32Array(4))).toThrow(/disagree/);
  });

  it('sizes buffers in whole 16-byte units, never empty', () => {
    expect([bufferBytes(0), bufferBytes(1), bufferBytes(4), bufferBytes(5)]).toEqual([16, 16, 16, 32]);
  });
});

describe('WebGPU kernel sources', () => {
  it('declare the bindings each kernel is bound with, in order', () => {
    expect(forwardKernel('gather', 'silu', true).bindings).toEqual(['uniform', 'read', 'read', 'read', 'write', 'write']);
    expect(forwardKernel('member', 'relu', false).bindings).toEqual(['uniform', 'read', 'read', 'write']);
    expect(forwardKernel('shared', 'relu', true).bindings).toEqual(['uniform', 'read', 'read', 'write', 'write']);
    expect(deltaBelowKernel('silu').bindings).toEqual(['uniform', 'read', 'read', 'read', 'write']);
    expect(weightGradientKernel('gather').bindings).toEqual(['uniform', 'read', 'read', 'read', 'write']);
    expect(outputDeltaKernel('mse').bindings).toEqual(['uniform', 'read', 'read', 'read', 'write']);
    expect(adamWKernel().bindings).toEqual(['read', 'read', 'write', 'write', 'write']);
    expect(summaryKernel('gaussian-nll').bindings).toEqual(['uniform', 'read', 'write']);
  });

  it('stage the matrix products through workgroup memory only in the tiled form', () => {
    for (const form of ['tiled', 'direct'] as const) {
      for (const source of [forwardKernel('member', 'silu', true, form), deltaBelowKernel('relu', form), weightGradientKernel('gather', form)]) {
        expect(source.code.includes('workgroupBarrier()')).toBe(form === 'tiled');
        expect(source.code).toContain('fn main(');
      }
    }
  });

  it('carry the AdamW and variance constants as float32 literals', () => {
    const adam = adamWKernel().code;
    expect(adam).toContain(`const BETA1 = ${Math.fround(0.9)}f;`);
    expect(adam).toContain(`const ONE_MINUS_BETA2 = ${Math.fround(1 - 0.999)}f;`);
    expect(adam).toContain(`const EPSILON = ${Math.fround(1e-8)}f;`);
    expect(outputDeltaKernel('gaussian-nll').code).toContain(`const MIN_VARIANCE = ${Math.fround(1e-6)}f;`);
    expect(outputDeltaKernel('mse').code).toContain('2.0f * residual * run.lossScale');
    expect(summaryKernel('mse').code).not.toContain('softplus(pre[');
  });
});
