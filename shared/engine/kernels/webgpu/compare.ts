// The WebGPU kernels against the plain-TS reference, run in a browser page (Node has no WebGPU):
// e2e/webgpu-kernels.e2e.ts loads this module into Chromium and asserts on the reports.
// One training step from identical state per shape (not trajectories: a ReLU input within rounding
// of zero can send two correct runs apart), batched inference, and the member summary.
import {
  type MlpShape,
  mlpLayout,
  networkOutputs,
  referenceMlpKernels as reference,
  summarizeMembers,
} from '../mlp-reference.ts';
import { seededFloat32, seededParams } from '../self-test.ts';
import { trainStepsBatchIndices } from '../wasm-mlp.ts';
import { type WebGpuMlpKernels, WebGpuUnavailableError, createWebGpuMlpKernels } from './webgpu-mlp.ts';

export const TOLERANCE = 1e-5;
const POOL_ROWS = 1000;
const LEARNING_RATE = 1e-3;

export type ShapeCase = MlpShape & { readonly batch: number };

function seededIndices(count: number, poolRows: number, seed: number): Int32Array {
  const u = seededFloat32(count, seed);
  return Int32Array.from(u, (v) => Math.min(poolRows - 1, Math.floor((v + 0.5) * poolRows)));
}

function blocks(shape: MlpShape): [number, number][] {
  return mlpLayout(shape).layers.flatMap(({ fanIn, fanOut, weightOffset, biasOffset }) => [
    [weightOffset, biasOffset] as [number, number],
    [biasOffset, biasOffset + shape.members * fanOut] as [number, number],
  ]);
}

function rms(values: ArrayLike<number>, start: number, end: number): number {
  let squares = 0;
  for (let q = start; q < end; q++) squares += values[q] * values[q];
  return Math.sqrt(squares / Math.max(1, end - start));
}

/**
 * Elementwise |a − b| ≤ tolerance·(|b| + RMS of b's block), as the wasm kernels' test: sums in
 * another order differ by a few ulp of the terms summed, whose scale is the block's RMS, so an
 * entry that cancels to near zero cannot fail on rounding alone. Returns the failing indices.
 */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>, ranges: [number, number][], tolerance: number): number[] {
  const failing: number[] = [];
  for (const [start, end] of ranges) {
    const floor = rms(b, start, end);
    for (let q = start; q < end; q++) {
      if (!(Math.abs(a[q] - b[q]) <= tolerance * (Math.abs(b[q]) + floor))) failing.push(q);
    }
  }
  return failing;
}

/** Largest |a − b| / (|b| + RMS of b's block) over the ranges: the figure reported next to the verdict. */
function worstError(a: ArrayLike<number>, b: ArrayLike<number>, ranges: [number, number][]): number {
  let worst = 0;
  for (const [start, end] of ranges) {
    const floor = rms(b, start, end) || 1;
    for (let q = start; q < end; q++) worst = Math.max(worst, Math.abs(a[q] - b[q]) / (Math.abs(b[q]) + floor));
  }
  return worst;
}

export const label = (s: ShapeCase) =>
  `${s.members}× ${s.inputs}-${s.hidden.join('-')}-${networkOutputs(s)} ${s.activation} ${s.loss} batch ${s.batch}`;

export interface StepReport {
  readonly label: string;
  readonly step: number;
  /** Indices failing the tolerance, per array (at most 10 listed). */
  readonly failing: { readonly params: number[]; readonly firstMoment: number[]; readonly secondMoment: number[] };
  readonly worst: { readonly params: number; readonly firstMoment: number; readonly secondMoment: number };
  /** Parameters the step moved by more than 1e-4 relative: the comparison compares something. */
  readonly moved: number;
}

/** One training step from identical state, WebGPU against the reference. */
export async function compareTrainingStep(kernels: WebGpuMlpKernels, shape: ShapeCase): Promise<StepReport> {
  const params = seededParams(shape, shape.inputs * 7 + shape.members);
  const x = seededFloat32(POOL_ROWS * shape.inputs, 3).map((v) => 3 * v);
  const y = seededFloat32(POOL_ROWS * shape.targets, 4);
  const indices = seededIndices(shape.members * shape.batch, POOL_ROWS, shape.batch + 11);
  const expected = reference.createState(shape, params);
  const actual = kernels.createState(shape, params);
  reference.trainStep(expected, x, y, indices, LEARNING_RATE, 1e-2);
  await kernels.trainStep(actual, x, y, indices, LEARNING_RATE, 1e-2);
  const want = reference.snapshot(expected);
  const got = await kernels.snapshot(actual);
  kernels.dispose(actual);
  reference.dispose(expected);
  const ranges = blocks(shape);
  // At step 1 AdamW moves every parameter by lr·(g / (|g| + ε) + λθ): an entry whose gradient is
  // zero up to rounding may move either way, by up to 2·lr. Elsewhere the update is the same.
  const gradientScale = rms(want.firstMoment, 0, want.firstMoment.length);
  const undecided = (q: number) => Math.abs(want.firstMoment[q]) <= TOLERANCE * gradientScale;
  const paramsFailing = mismatches(got.params, want.params, ranges, TOLERANCE).filter(
    (q) => !(undecided(q) && Math.abs(got.params[q] - want.params[q]) <= 2.01 * LEARNING_RATE),
  );
  return {
    label: label(shape),
    step: got.step,
    failing: {
      params: paramsFailing.slice(0, 10),
      firstMoment: mismatches(got.firstMoment, want.firstMoment, ranges, TOLERANCE).slice(0, 10),
      secondMoment: mismatches(got.secondMoment, want.secondMoment, ranges, TOLERANCE).slice(0, 10),
    },
    worst: {
      params: worstError(got.params, want.params, ranges),
      firstMoment: worstError(got.firstMoment, want.firstMoment, ranges),
      secondMoment: worstError(got.secondMoment, want.secondMoment, ranges),
    },
    moved: mismatches(got.params, params, ranges, 1e-4).length,
  };
}

export interface PredictReport {
  readonly label: string;
  readonly rows: number;
  readonly length: number;
  readonly expectedLength: number;
  readonly failing: number[];
  readonly worst: number;
  /** The same for predictSummary against summarizeMembers of the reference's outputs. */
  readonly summaryFailing: number[];
  readonly summaryWorst: number;
}

/** Batched inference and the member summary against the reference, for several row counts. */
export async function comparePredict(kernels: WebGpuMlpKernels, shape: ShapeCase, rowCounts: readonly number[]): Promise<PredictReport[]> {
  const params = seededParams(shape, 5);
  const expected = reference.createState(shape, params);
  const actual = kernels.createState(shape, params);
  const reports: PredictReport[] = [];
  for (const rows of rowCounts) {
    const x = seededFloat32(rows * shape.inputs, rows + 1).map((v) => 4 * v);
    const want = reference.predict(expected, x, rows);
    const got = await kernels.predict(actual, x, rows);
    const all: [number, number][] = [[0, want.length]];
    const summary = await kernels.predictSummary(actual, x, rows);
    const wantSummary = summarizeMembers(shape, want, rows);
    const n = rows * shape.targets;
    const gotFlat = [...summary.mean, ...summary.memberVariance, ...summary.noiseVariance];
    const wantFlat = [...wantSummary.mean, ...wantSummary.memberVariance, ...wantSummary.noiseVariance];
    const parts: [number, number][] = [[0, n], [n, 2 * n], [2 * n, 3 * n]];
    reports.push({
      label: label(shape),
      rows,
      length: got.length,
      expectedLength: want.length,
      failing: got.length === want.length ? mismatches(got, want, all, TOLERANCE).slice(0, 10) : [-1],
      worst: got.length === want.length ? worstError(got, want, all) : Infinity,
      summaryFailing: mismatches(gotFlat, wantFlat, parts, TOLERANCE).slice(0, 10),
      summaryWorst: worstError(gotFlat, wantFlat, parts),
    });
  }
  kernels.dispose(actual);
  reference.dispose(expected);
  return reports;
}

export interface BlockReport {
  readonly steps: number;
  /** Parameters and moments that differ between trainSteps and the same steps one by one (bitwise). */
  readonly differing: number;
  readonly stepAfterBlock: number;
  readonly moved: number;
}

/**
 * trainSteps (several command buffers of STEPS_PER_SUBMIT steps) against the same kernels'
 * trainStep on trainStepsBatchIndices, one step at a time: the same arithmetic, so bitwise equal.
 */
export async function compareBlockTraining(kernels: WebGpuMlpKernels, shape: MlpShape, batchSize: number, steps: number): Promise<BlockReport> {
  const params = seededParams(shape, 9);
  const rowsPerMember = 50;
  const x = seededFloat32(POOL_ROWS * shape.inputs, 3);
  const y = seededFloat32(POOL_ROWS * shape.targets, 4);
  const memberRows = seededIndices(shape.members * rowsPerMember, POOL_ROWS, 17);
  const block = kernels.createState(shape, params);
  const single = kernels.createState(shape, params);
  await kernels.trainSteps(block, x, y, memberRows, batchSize, steps, 42, 1e-2, 1e-3);
  for (const indices of trainStepsBatchIndices(memberRows, shape.members, batchSize, steps, 42)) {
    await kernels.trainStep(single, x, y, indices, 1e-2, 1e-3);
  }
  const a = await kernels.snapshot(block);
  const b = await kernels.snapshot(single);
  kernels.dispose(block);
  kernels.dispose(single);
  let differing = 0;
  for (const [u, v] of [[a.params, b.params], [a.firstMoment, b.firstMoment], [a.secondMoment, b.secondMoment]]) {
    for (let q = 0; q < u.length; q++) if (u[q] !== v[q]) differing++;
  }
  let moved = 0;
  for (let q = 0; q < params.length; q++) if (Math.abs(a.params[q] - params[q]) > 1e-4 * (Math.abs(params[q]) + 1e-3)) moved++;
  return { steps, differing, stepAfterBlock: a.step, moved };
}

export interface SiluReport {
  readonly rows: number;
  /** Inputs z where |silu − exact| > 1e-6·|exact| + 2e-38·|z| (at most 10 listed). */
  readonly failing: number[];
  /** Largest |silu − exact| / |exact| for |z| ≤ 87. */
  readonly worstRelative: number;
}

/**
 * SiLU far into both tails: a 1-1-1 network with unit weights and zero biases outputs silu(z)
 * itself. Tests the shaders' own exp (range reduction and polynomial), against double precision.
 */
export async function siluTails(kernels: WebGpuMlpKernels): Promise<SiluReport> {
  const shape: MlpShape = { members: 1, inputs: 1, hidden: [1], targets: 1, activation: 'silu', loss: 'mse' };
  const state = kernels.createState(shape, Float32Array.of(1, 0, 1, 0));
  const x = Float32Array.from({ length: 4001 }, (_, i) => (i - 2000) / 20);
  const got = await kernels.predict(state, x, x.length);
  kernels.dispose(state);
  const failing: number[] = [];
  let worstRelative = 0;
  for (let i = 0; i < x.length; i++) {
    const z = x[i];
    const exact = z / (1 + Math.exp(-z));
    // Below z = −87 σ(z) is held at e⁻⁸⁷ ≈ 1.6e-38, so that it stays a normal float.
    if (!(Math.abs(got[i] - exact) <= 1e-6 * Math.abs(exact) + 2e-38 * Math.abs(z)) && failing.length < 10) failing.push(z);
    if (Math.abs(z) <= 87 && exact !== 0) worstRelative = Math.max(worstRelative, Math.abs(got[i] - exact) / Math.abs(exact));
  }
  return { rows: got.length, failing, worstRelative };
}

export interface MemoryReport {
  readonly before: number;
  /** After one round of every call (the buffers have grown to these sizes). */
  readonly afterFirstRound: number;
  /** After five more rounds of the same sizes: the buffers are reused, not reallocated. */
  readonly afterMoreRounds: number;
  readonly afterDispose: number;
  /** What a call on the disposed state throws. */
  readonly disposedError: string;
}

/** Device bytes held across repeated calls and after dispose. */
export async function memoryReuse(kernels: WebGpuMlpKernels): Promise<MemoryReport> {
  const shape: MlpShape = { members: 4, inputs: 3, hidden: [16, 8], targets: 2, activation: 'silu', loss: 'gaussian-nll' };
  const before = kernels.bytesHeld();
  const x = seededFloat32(200 * shape.inputs, 3);
  const y = seededFloat32(200 * shape.targets, 4);
  const memberRows = seededIndices(shape.members * 30, 200, 5);
  const indices = seededIndices(shape.members * 10, 200, 6);
  const query = seededFloat32(50 * shape.inputs, 7);
  const state = kernels.createState(shape, seededParams(shape, 1));
  const round = async () => {
    await kernels.trainStep(state, x, y, indices, 1e-3, 1e-4);
    await kernels.trainSteps(state, x, y, memberRows, 10, 3, 1, 1e-3, 1e-4);
    await kernels.predict(state, query, 50);
    await kernels.predictSummary(state, query, 50);
    await kernels.snapshot(state);
  };
  await round();
  const afterFirstRound = kernels.bytesHeld();
  for (let r = 0; r < 5; r++) await round();
  const afterMoreRounds = kernels.bytesHeld();
  kernels.dispose(state);
  // dispose frees the buffers once the state's queued calls have settled (a microtask later).
  await new Promise((resolve) => setTimeout(resolve, 0));
  let disposedError = 'none';
  try {
    await kernels.predict(state, query, 50);
  } catch (error) {
    disposedError = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return { before, afterFirstRound, afterMoreRounds, afterDispose: kernels.bytesHeld(), disposedError };
}

export interface LossReport {
  readonly errorName: string;
  readonly message: string;
}

/** After the device is lost, every call rejects with WebGpuUnavailableError (so callers fall back). */
export async function lostDeviceError(): Promise<LossReport> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new WebGpuUnavailableError('No WebGPU adapter');
  const device = await adapter.requestDevice();
  const kernels = await createWebGpuMlpKernels({ device });
  const shape: MlpShape = { members: 2, inputs: 2, hidden: [4], targets: 1, activation: 'silu', loss: 'mse' };
  const state = kernels.createState(shape, seededParams(shape, 1));
  device.destroy();
  await device.lost;
  try {
    await kernels.predict(state, new Float32Array(4), 2);
    return { errorName: 'none', message: '' };
  } catch (error) {
    return { errorName: (error as Error).name, message: (error as Error).message };
  }
}

export { createWebGpuMlpKernels };
