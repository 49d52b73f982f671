import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MlpShape, mlpLayout, networkOutputs, referenceMlpKernels, summarizeMembers } from './mlp-reference.ts';
import { seededFloat32, seededParams } from './self-test.ts';
import { instantiateWasmMlpKernels, supportsWasmRelaxedSimd, trainStepsBatchIndices, WasmHeap } from './wasm-mlp.ts';

const wasmBytes = readFileSync(new URL('../../../wasm/build/kernels.wasm', import.meta.url));
// Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd
// (`npx vitest run --execArgv=--experimental-wasm-relaxed-simd …`); elsewhere those tests skip.
const relaxedBytes = readFileSync(new URL('../../../wasm/build/kernels-relaxed.wasm', import.meta.url));

function seededIndices(count: number, poolRows: number, seed: number): Int32Array {
  const u = seededFloat32(count, seed);
  return Int32Array.from(u, (v) => Math.min(poolRows - 1, Math.floor((v + 0.5) * poolRows)));
}

/** The blocks of the flat layout (each layer's weights, then its biases), as [start, end). */
function blocks(shape: MlpShape): [number, number][] {
  return mlpLayout(shape).layers.flatMap(({ fanIn, fanOut, weightOffset, biasOffset }) => [
    [weightOffset, biasOffset] as [number, number],
    [biasOffset, biasOffset + shape.members * fanOut] as [number, number],
  ]);
}

function rms(values: Float32Array, start: number, end: number): number {
  let squares = 0;
  for (let q = start; q < end; q++) squares += values[q] * values[q];
  return Math.sqrt(squares / Math.max(1, end - start));
}

/**
 * Elementwise |a − b| ≤ tolerance·(|b| + rms of b's block). Relative to magnitude, not absolute:
 * float32 sums in another order differ by a few ulp of the *terms* summed, and a gradient entry
 * that cancels to near zero keeps the absolute error of its terms; the block's RMS is the scale
 * of those terms, so near-zero entries cannot fail on rounding alone while every entry of
 * ordinary size is held to `tolerance` relative. Returns the indices that fail.
 */
function mismatches(a: Float32Array, b: Float32Array, shape: MlpShape, tolerance: number): number[] {
  const failing: number[] = [];
  for (const [start, end] of blocks(shape)) {
    const floor = rms(b, start, end);
    for (let q = start; q < end; q++) {
      if (!(Math.abs(a[q] - b[q]) <= tolerance * (Math.abs(b[q]) + floor))) failing.push(q);
    }
  }
  return failing;
}

const shapes: (MlpShape & { batch: number })[] = [
  { members: 1, inputs: 1, hidden: [8], targets: 1, activation: 'silu', loss: 'mse', batch: 1 },
  { members: 16, inputs: 7, hidden: [20], targets: 3, activation: 'relu', loss: 'mse', batch: 33 },
  { members: 1, inputs: 50, hidden: [64, 64], targets: 5, activation: 'silu', loss: 'mse', batch: 200 },
  { members: 16, inputs: 1, hidden: [128], targets: 1, activation: 'silu', loss: 'gaussian-nll', batch: 33 },
  { members: 1, inputs: 7, hidden: [8, 20], targets: 2, activation: 'relu', loss: 'gaussian-nll', batch: 200 },
  { members: 16, inputs: 50, hidden: [128, 64], targets: 1, activation: 'relu', loss: 'mse', batch: 1 },
  { members: 16, inputs: 10, hidden: [64, 64], targets: 3, activation: 'silu', loss: 'mse', batch: 32 },
  { members: 3, inputs: 7, hidden: [20, 8], targets: 5, activation: 'silu', loss: 'mse', batch: 33 },
  // Narrow output layers (1 or 2 columns, dot products along the hidden layer): several tiles
  // and odd tails of rows, hidden widths of 32, 20 (4 vectors and 1) and 12 (3 vectors).
  { members: 4, inputs: 8, hidden: [32, 32], targets: 1, activation: 'silu', loss: 'mse', batch: 130 },
  { members: 3, inputs: 5, hidden: [24, 20], targets: 1, activation: 'silu', loss: 'gaussian-nll', batch: 75 },
  { members: 2, inputs: 3, hidden: [12], targets: 1, activation: 'relu', loss: 'mse', batch: 70 },
];

const POOL_ROWS = 300;
const LEARNING_RATE = 1e-3;
const TOLERANCE = 1e-5;

const label = (s: MlpShape & { batch: number }) =>
  `${s.members}× ${s.inputs}-${s.hidden.join('-')}-${networkOutputs(s)} ${s.activation} ${s.loss} batch ${s.batch}`;

/** One training step from identical state, against the reference (see mismatches for the tolerance). */
async function checkTrainingStep(bytes: BufferSource, shape: MlpShape & { batch: number }): Promise<void> {
  const kernels = await instantiateWasmMlpKernels(bytes);
  const params = seededParams(shape, shape.inputs * 7 + shape.members);
  const x = seededFloat32(POOL_ROWS * shape.inputs, 3).map((v) => 3 * v);
  const y = seededFloat32(POOL_ROWS * shape.targets, 4);
  const indices = seededIndices(shape.members * shape.batch, POOL_ROWS, shape.batch + 11);
  const expected = referenceMlpKernels.createState(shape, params);
  const actual = kernels.createState(shape, params);
  referenceMlpKernels.trainStep(expected, x, y, indices, LEARNING_RATE, 1e-2);
  kernels.trainStep(actual, x, y, indices, LEARNING_RATE, 1e-2);
  const want = referenceMlpKernels.snapshot(expected);
  const got = kernels.snapshot(actual);
  expect(got.step).toBe(1);
  expect(mismatches(got.firstMoment, want.firstMoment, shape, TOLERANCE)).toEqual([]);
  expect(mismatches(got.secondMoment, want.secondMoment, shape, TOLERANCE)).toEqual([]);
  // At step 1 AdamW moves every parameter by lr·(g / (|g| + ε) + λθ): an entry whose gradient is
  // zero up to rounding may move either way, by up to 2·lr. Elsewhere the update is the same.
  const gradientScale = rms(want.firstMoment, 0, want.firstMoment.length);
  const undecided = (q: number) => Math.abs(want.firstMoment[q]) <= TOLERANCE * gradientScale;
  const wrong = mismatches(got.params, want.params, shape, TOLERANCE).filter(
    (q) => !(undecided(q) && Math.abs(got.params[q] - want.params[q]) <= 2.01 * LEARNING_RATE),
  );
  expect(wrong).toEqual([]);
  // The step really moved the parameters, so the comparison compares something.
  expect(mismatches(got.params, params, shape, 1e-4).length).toBeGreaterThan(0);
  kernels.dispose(actual);
  referenceMlpKernels.dispose(expected);
  expect(kernels.bytesInUse()).toBe(0);
}

/** Batched inference against the reference, on tile boundaries (64 rows) and odd row counts. */
async function checkPredict(bytes: BufferSource): Promise<void> {
  const kernels = await instantiateWasmMlpKernels(bytes);
  for (const shape of [shapes[2], shapes[3], shapes[4], shapes[7], shapes[8], shapes[9], shapes[10]]) {
    const params = seededParams(shape, 5);
    const expected = referenceMlpKernels.createState(shape, params);
    const actual = kernels.createState(shape, params);
    for (const rows of [0, 1, 63, 64, 65, 130]) {
      const x = seededFloat32(rows * shape.inputs, rows + 1).map((v) => 4 * v);
      const want = referenceMlpKernels.predict(expected, x, rows);
      const got = kernels.predict(actual, x, rows);
      expect(got.length).toBe(want.length);
      const scale = rms(want, 0, want.length);
      for (let q = 0; q < want.length; q++) expect(Math.abs(got[q] - want[q])).toBeLessThanOrEqual(TOLERANCE * (Math.abs(want[q]) + scale));
    }
    kernels.dispose(actual);
  }
  expect(kernels.bytesInUse()).toBe(0);
}

describe('wasm MLP-ensemble kernels', () => {
  for (const shape of shapes) {
    it(`takes the reference's training step to float32 rounding (${label(shape)})`, () => checkTrainingStep(wasmBytes, shape));
  }

  it('predicts like the reference on tile boundaries and odd row counts', () => checkPredict(wasmBytes));

  it('names itself after the build', async () => {
    expect((await instantiateWasmMlpKernels(wasmBytes)).name).toBe('wasm-simd');
  });

  it('computes SiLU to float32 accuracy far into both tails', async () => {
    const kernels = await instantiateWasmMlpKernels(wasmBytes);
    // 1-1-1 network with unit weights and zero biases: the output is silu(x) itself.
    const shape: MlpShape = { members: 1, inputs: 1, hidden: [1], targets: 1, activation: 'silu', loss: 'mse' };
    const state = kernels.createState(shape, Float32Array.of(1, 0, 1, 0));
    const x = Float32Array.from({ length: 4001 }, (_, i) => (i - 2000) / 20);
    const got = kernels.predict(state, x, x.length);
    for (let i = 0; i < x.length; i++) {
      const z = x[i];
      const silu = z / (1 + Math.exp(-z));
      // Relative 1e-6; below z = −87 σ(z) is held at e⁻⁸⁷ ≈ 1.6e-38, so that it stays a normal float.
      expect(Math.abs(got[i] - silu)).toBeLessThanOrEqual(1e-6 * Math.abs(silu) + 2e-38 * Math.abs(z));
    }
    kernels.dispose(state);
  });

  it('round-trips parameters through writeParams and snapshot, keeping the moments', async () => {
    const kernels = await instantiateWasmMlpKernels(wasmBytes);
    const shape = shapes[1];
    const state = kernels.createState(shape, seededParams(shape, 1));
    const x = seededFloat32(POOL_ROWS * shape.inputs, 3);
    const y = seededFloat32(POOL_ROWS * shape.targets, 4);
    kernels.trainStep(state, x, y, seededIndices(shape.members * 8, POOL_ROWS, 2), 1e-3, 0);
    const moments = kernels.snapshot(state).firstMoment;
    const replacement = seededParams(shape, 99);
    kernels.writeParams(state, replacement);
    const snapshot = kernels.snapshot(state);
    expect(snapshot.params).toEqual(replacement);
    expect(snapshot.firstMoment).toEqual(moments);
    expect(() => kernels.writeParams(state, new Float32Array(3))).toThrow(RangeError);
    expect(() => kernels.trainStep(state, x, y, Int32Array.of(...new Array(16).fill(POOL_ROWS)), 1e-3, 0)).toThrow(/outside the pool/);
    kernels.dispose(state);
    expect(() => kernels.snapshot(state)).toThrow(/disposed/);
  });

  it('runs a block of steps with the batch order that trainStepsBatchIndices replays', async () => {
    const kernels = await instantiateWasmMlpKernels(wasmBytes);
    const shape: MlpShape = { members: 3, inputs: 5, hidden: [12, 8], targets: 2, activation: 'silu', loss: 'gaussian-nll' };
    const params = seededParams(shape, 8);
    const x = seededFloat32(40 * shape.inputs, 1);
    const y = seededFloat32(40 * shape.targets, 2);
    // 20 rows per member in batches of 6: epochs of 4 steps, the last batch wrapping around.
    const memberRows = Int32Array.from({ length: shape.members * 20 }, (_, q) => (q * 7 + 3) % 40);
    const steps = 9;
    const block = kernels.createState(shape, params);
    kernels.trainSteps(block, x, y, memberRows, 6, steps, 1234, 3e-3, 1e-3);
    const replay = kernels.createState(shape, params);
    const batches = trainStepsBatchIndices(memberRows, shape.members, 6, steps, 1234);
    expect(batches).toHaveLength(steps);
    // Each epoch visits every row of each member's list once (plus the wrapped-around rows).
    const firstEpoch = new Set(Array.from({ length: 4 }, (_, s) => Array.from(batches[s].subarray(0, 6))).flat());
    expect(firstEpoch).toEqual(new Set(memberRows.subarray(0, 20)));
    for (const indices of batches) kernels.trainStep(replay, x, y, indices, 3e-3, 1e-3);
    const a = kernels.snapshot(block);
    const b = kernels.snapshot(replay);
    expect(a.step).toBe(steps);
    expect(a.params).toEqual(b.params);
    expect(a.secondMoment).toEqual(b.secondMoment);
    // And the same order through the reference gives the same parameters (SiLU: no kinks to diverge on).
    const expected = referenceMlpKernels.createState(shape, params);
    for (const indices of batches) referenceMlpKernels.trainStep(expected, x, y, indices, 3e-3, 1e-3);
    expect(mismatches(a.params, referenceMlpKernels.snapshot(expected).params, shape, 1e-4)).toEqual([]);
    kernels.dispose(block);
    kernels.dispose(replay);
    expect(kernels.bytesInUse()).toBe(0);
  });

  it('summarizes the members inside wasm as summarizeMembers does with its outputs', async () => {
    const kernels = await instantiateWasmMlpKernels(wasmBytes);
    for (const shape of [shapes[1], shapes[3], shapes[4]]) {
      const state = kernels.createState(shape, seededParams(shape, 5));
      const rows = 37;
      const x = seededFloat32(rows * shape.inputs, 6);
      const expected = summarizeMembers(shape, kernels.predict(state, x, rows), rows);
      const got = kernels.predictSummary(state, x, rows);
      for (const key of ['mean', 'memberVariance', 'noiseVariance'] as const) {
        expect(got[key]).toHaveLength(rows * shape.targets);
        for (let q = 0; q < got[key].length; q++) expect(Math.abs(got[key][q] - expected[key][q])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[key][q])));
      }
      if (shape.loss === 'gaussian-nll') expect(Math.min(...got.noiseVariance)).toBeGreaterThan(0);
      if (shape.members > 1) expect(Math.max(...got.memberVariance)).toBeGreaterThan(0);
      kernels.dispose(state);
    }
    expect(kernels.bytesInUse()).toBe(0);
  });

  it('reuses its memory: create, train, predict and dispose cycles return to where they started', async () => {
    const kernels = await instantiateWasmMlpKernels(wasmBytes);
    const start = kernels.bytesInUse();
    let grownTo = 0;
    for (let cycle = 0; cycle < 30; cycle++) {
      const states = [shapes[1], shapes[2], shapes[6]].map((shape) => {
        const state = kernels.createState(shape, seededParams(shape, cycle));
        const x = seededFloat32(POOL_ROWS * shape.inputs, cycle);
        const y = seededFloat32(POOL_ROWS * shape.targets, cycle + 1);
        kernels.trainStep(state, x, y, seededIndices(shape.members * (8 + (cycle % 3)), POOL_ROWS, cycle), 1e-3, 0);
        kernels.predict(state, x.subarray(0, 70 * shape.inputs), 70);
        return state;
      });
      expect(kernels.bytesInUse()).toBeGreaterThan(start);
      for (const state of cycle % 2 ? states : states.reverse()) kernels.dispose(state);
      expect(kernels.bytesInUse()).toBe(start);
      if (cycle === 1) grownTo = kernels.memoryBytes();
      if (cycle > 1) expect(kernels.memoryBytes()).toBe(grownTo);
    }
  });

  it('coalesces freed blocks in its allocator', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new WasmHeap(memory, 100);
    const a = heap.alloc(1);
    const b = heap.alloc(40_000);
    const c = heap.alloc(30_000);
    expect(a).toBe(112);
    expect(b % 16).toBe(0);
    expect(memory.buffer.byteLength).toBe(2 * 65_536);
    heap.release(b);
    heap.release(a);
    // a and b merged: 40,016 bytes fit where they were, without growing.
    expect(heap.alloc(40_016)).toBe(a);
    heap.release(a);
    heap.release(c);
    expect(heap.bytesInUse()).toBe(0);
    expect(heap.alloc(70_000)).toBe(a);
    expect(() => heap.release(12345)).toThrow(RangeError);
  });
});

describe.skipIf(!supportsWasmRelaxedSimd())('wasm MLP-ensemble kernels with relaxed SIMD (fused multiply-add)', () => {
  it('names itself after the build', async () => {
    expect((await instantiateWasmMlpKernels(relaxedBytes)).name).toBe('wasm-relaxed-simd');
  });

  it('predicts like the reference', () => checkPredict(relaxedBytes));

  for (const shape of shapes) {
    it(`takes the reference's training step to float32 rounding (${label(shape)})`, () => checkTrainingStep(relaxedBytes, shape));
  }
});
