// Host-side layout of the WebGPU MLP-ensemble kernels: the uniform records the shaders read, the
// weight-decay mask, and the sizes that must fit the device's limits. Pure functions, tested in
// Node (which has no WebGPU); webgpu-mlp.ts does the device work.
//
// The parameters, gradients and AdamW moments live on the device in the flat layout of the kernel
// interface (mlpLayout), unpadded, so snapshot and writeParams are plain copies.
import { ADAM_BETA1, ADAM_BETA2, type MlpLayout, type MlpShape, mlpLayout, networkOutputs } from '../mlp-reference.ts';

/** WebGPU guarantees minUniformBufferOffsetAlignment ≤ 256: one record per 256 bytes fits every device. */
export const RECORD_BYTES = 256;
/** Words of the Run record (shaders.ts, struct Run). */
export const RUN_WORDS = 8;
/** Training steps encoded into one command buffer by trainSteps. */
export const STEPS_PER_SUBMIT = 32;
/** Upper bound of the rows one predict dispatch covers (scratch memory grows with it). */
export const MAX_CHUNK_ROWS = 65_536;
/** Bytes of scratch a predict chunk may use for one layer's activations of all members. */
export const CHUNK_BYTES = 64 * 1024 * 1024;

/** The device limits the kernels depend on (a subset of GPUSupportedLimits). */
export interface KernelLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/**
 * Per layer: fanIn, fanOut, weightOffset, biasOffset (floats into the flat parameter array),
 * targets, members, the index of the layer and a flag for the last layer; one record per
 * RECORD_BYTES, as a Uint32Array over the bytes of the uniform buffer.
 */
export function layerRecords(shape: MlpShape, layout: MlpLayout = mlpLayout(shape)): Uint32Array {
  const words = new Uint32Array((layout.layers.length * RECORD_BYTES) / 4);
  layout.layers.forEach(({ fanIn, fanOut, weightOffset, biasOffset }, l) => {
    const at = (l * RECORD_BYTES) / 4;
    words.set([fanIn, fanOut, weightOffset, biasOffset, shape.targets, shape.members, l, l + 1 === layout.layers.length ? 1 : 0], at);
  });
  return words;
}

export interface RunRecord {
  /** Batch rows per member (training) or rows of this chunk (inference). */
  readonly rows: number;
  /** First index of this step in the indices buffer (training) or first row of this chunk (inference). */
  readonly offset: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  /** AdamW step number (1 for the first step), for the bias corrections; 0 for inference. */
  readonly step: number;
  /** Outputs per row that the loss averages over (targets); 0 for inference. */
  readonly targets: number;
}

/**
 * Writes one Run record at `index` (stride RECORD_BYTES) of `bytes`. The bias corrections
 * 1 − βᵗ and the loss scale 1 / (rows · targets) are computed in double precision here, as the
 * reference does, and rounded once to float32: the shader never raises β to a power itself.
 */
export function writeRunRecord(bytes: ArrayBuffer, index: number, run: RunRecord): void {
  const at = index * RECORD_BYTES;
  const u32 = new Uint32Array(bytes, at, RUN_WORDS);
  const f32 = new Float32Array(bytes, at, RUN_WORDS);
  u32[0] = run.rows;
  u32[1] = run.offset;
  f32[2] = run.learningRate;
  f32[3] = run.weightDecay;
  f32[4] = run.step > 0 ? 1 - ADAM_BETA1 ** run.step : 1;
  f32[5] = run.step > 0 ? 1 - ADAM_BETA2 ** run.step : 1;
  f32[6] = run.targets > 0 ? 1 / (run.rows * run.targets) : 0;
  u32[7] = 0;
}

/** 1 for every weight, 0 for every bias: decoupled weight decay applies to weights only. */
export function decayMask(layout: MlpLayout): Float32Array {
  const mask = new Float32Array(layout.size);
  for (const { weightOffset, biasOffset } of layout.layers) mask.fill(1, weightOffset, biasOffset);
  return mask;
}

/** The widest layer (inputs included), which sizes the per-row activation scratch. */
export function widestLayer(shape: MlpShape): number {
  return Math.max(shape.inputs, ...shape.hidden, networkOutputs(shape));
}

/**
 * Rows per predict chunk: as many as keep one layer's activations of all members within
 * CHUNK_BYTES and the device's binding limit, a multiple of 16 (the shaders' tile), at least 16.
 */
export function predictChunkRows(shape: MlpShape, limits: KernelLimits): number {
  const bytesPerRow = shape.members * widestLayer(shape) * 4;
  const budget = Math.min(CHUNK_BYTES, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const rows = Math.floor(budget / bytesPerRow / 16) * 16;
  return Math.max(16, Math.min(MAX_CHUNK_ROWS, rows));
}

/** Bytes of the largest buffer a training step of this batch binds; throws if the device cannot bind it. */
export function checkTrainingFits(shape: MlpShape, batch: number, poolRows: number, limits: KernelLimits): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const activations = shape.members * batch * widestLayer(shape) * 4;
  const pool = poolRows * Math.max(shape.inputs, shape.targets) * 4;
  const params = mlpLayout(shape).size * 4;
  const indices = STEPS_PER_SUBMIT * shape.members * batch * 4;
  const largest = Math.max(activations, pool, params, indices);
  if (largest > limit) {
    throw new RangeError(`This training step needs a ${largest}-byte buffer; the WebGPU device binds at most ${limit} bytes`);
  }
  const rowTiles = Math.ceil(batch / 16);
  if (rowTiles > limits.maxComputeWorkgroupsPerDimension || shape.members > limits.maxComputeWorkgroupsPerDimension) {
    throw new RangeError('This batch or member count exceeds the WebGPU device’s workgroup grid');
  }
}

/** Workgroups for a 1-D grid of `count` invocations in groups of `size`, folded into x and y. */
export function foldedGrid(count: number, size: number, limits: KernelLimits): [number, number] {
  const groups = Math.max(1, Math.ceil(count / size));
  const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
  return [x, Math.ceil(groups / x)];
}

/** Validates the indices of one training step against the pool, as the other kernel sets do. */
export function checkBatchIndices(indices: Int32Array, members: number, poolRows: number): number {
  if (indices.length === 0 || indices.length % members !== 0) throw new RangeError('Batch indices must be members × batch size');
  for (let q = 0; q < indices.length; q++) {
    const i = indices[q];
    if (!(i >= 0 && i < poolRows)) throw new RangeError('Batch index outside the pool');
  }
  return indices.length / members;
}

/** Rows of the pool (batchX rows × inputs, batchY rows × targets); throws when they disagree. */
export function poolRows(shape: MlpShape, x: Float32Array, y: Float32Array): number {
  const rows = x.length / shape.inputs;
  if (!Number.isInteger(rows) || rows === 0 || y.length !== rows * shape.targets) throw new RangeError('Batch pool shapes disagree');
  return rows;
}

/** Buffer sizes must be multiples of 4 and bindings non-empty: at least 16 bytes. */
export function bufferBytes(floats: number): number {
  return Math.max(16, Math.ceil((floats * 4) / 16) * 16);
}
