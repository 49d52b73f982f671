import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MlpShape, mlpLayout, referenceMlpKernels } from '../../../shared/engine/kernels/mlp-reference.ts';
import { Worker } from 'node:worker_threads';
import {
  type ParallelMlpKernels,
  canBlockOnSharedMemory,
  createParallelMlpKernels,
  memberGroups,
  placeMembers,
  sliceMembers,
} from '../../../shared/engine/kernels/parallel-mlp.ts';
import { seededFloat32 } from '../../../shared/engine/kernels/self-test.ts';
import { type WasmMlpKernels, instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';
import { fitEnsemble } from '../../../shared/engine/models/ensemble/ensemble.ts';
import { decodeFloat32 } from '../../../shared/engine/models/ensemble/serialize.ts';
import { makeFriedman1 } from '../../../shared/engine/validate/synthetic.ts';
import { parallelWasmMlpKernels } from './parallel.ts';

const module = new WebAssembly.Module(readFileSync(new URL('../../../wasm/build/kernels.wasm', import.meta.url)));
let single: WasmMlpKernels;
let parallel: ParallelMlpKernels;
let eager: ParallelMlpKernels;

beforeAll(async () => {
  single = await instantiateWasmMlpKernels(module);
  // Three threads, so that the groups are uneven for odd member counts.
  parallel = await parallelWasmMlpKernels(module, 3);
  eager = await parallelWasmMlpKernels(module, 2, { minFlopsToSplit: 0 });
});

afterAll(() => {
  parallel?.close();
  eager?.close();
});

const shape: MlpShape = { members: 7, inputs: 5, hidden: [12, 9], targets: 2, activation: 'silu', loss: 'gaussian-nll' };

describe('member groups', () => {
  it('splits members into contiguous, nearly equal groups', () => {
    expect(memberGroups(16, 2)).toEqual([{ first: 0, count: 8 }, { first: 8, count: 8 }]);
    expect(memberGroups(7, 3)).toEqual([{ first: 0, count: 3 }, { first: 3, count: 2 }, { first: 5, count: 2 }]);
    expect(memberGroups(1, 4)).toEqual([{ first: 0, count: 1 }]);
  });

  it('slices and places members so that the parts rebuild the whole', () => {
    const params = seededFloat32(mlpLayout(shape).size, 3);
    const rebuilt = new Float32Array(params.length);
    for (const { first, count } of memberGroups(shape.members, 3)) {
      const part = sliceMembers(shape, params, first, count);
      expect(part.length).toBe(mlpLayout({ ...shape, members: count }).size);
      placeMembers(shape, rebuilt, part, first, count);
    }
    expect(rebuilt).toEqual(params);
    // Member 3 alone is member 3 of the whole: its first weight sits at 3 · fanIn · fanOut.
    const one = sliceMembers(shape, params, 3, 1);
    expect(one[0]).toBe(params[3 * 5 * 12]);
  });
});

describe('kernels split over worker threads', () => {
  it('can block on shared memory in Node', () => {
    expect(canBlockOnSharedMemory()).toBe(true);
  });

  it('names itself after the kernels and the thread count', () => {
    expect(parallel.name).toBe(`${single.name} ×3`);
    expect(parallel.workers).toBe(3);
  });

  const rows = 40;
  const x = seededFloat32(rows * shape.inputs, 11);
  const y = seededFloat32(rows * shape.targets, 12);
  const params = seededFloat32(mlpLayout(shape).size, 13).map((v) => v * 0.5);
  const memberRows = Int32Array.from({ length: shape.members * 30 }, (_, q) => (q * 7) % rows);

  it('trains a block of steps bit for bit as one thread does', () => {
    const a = single.createState(shape, params);
    const b = parallel.createState(shape, params, { rows: 1e6 });
    single.trainSteps(a, x, y, memberRows, 8, 9, 77, 3e-3, 1e-2);
    parallel.trainSteps(b, x, y, memberRows, 8, 9, 77, 3e-3, 1e-2);
    const sa = single.snapshot(a);
    const sb = parallel.snapshot(b);
    expect(sb.params).toEqual(sa.params);
    expect(sb.firstMoment).toEqual(sa.firstMoment);
    expect(sb.secondMoment).toEqual(sa.secondMoment);
    expect(sb.step).toBe(9);
    expect(sb.params).not.toEqual(params);
    // Predictions of every member, in member order.
    expect(parallel.predict(b, x, rows)).toEqual(single.predict(a, x, rows));
    single.dispose(a);
    parallel.dispose(b);
  });

  it('takes single steps and written parameters like one thread', () => {
    const a = single.createState(shape, params);
    const b = eager.createState(shape, params);
    const indices = Int32Array.from({ length: shape.members * 6 }, (_, q) => (q * 5) % rows);
    single.trainStep(a, x, y, indices, 1e-2, 0);
    eager.trainStep(b, x, y, indices, 1e-2, 0);
    expect(eager.snapshot(b).params).toEqual(single.snapshot(a).params);
    eager.writeParams(b, params);
    expect(eager.snapshot(b).params).toEqual(params);
    single.dispose(a);
    eager.dispose(b);
  });

  it('reports a peer failure as an error of the call, and keeps working', () => {
    const b = eager.createState(shape, params);
    const bad = new Int32Array(shape.members * 2).fill(rows + 5);
    expect(() => eager.trainStep(b, x, y, bad, 1e-2, 0)).toThrow(/outside the pool/);
    expect(eager.predict(b, x.subarray(0, 3 * shape.inputs), 3)).toHaveLength(shape.members * 3 * 4);
    eager.dispose(b);
    expect(() => eager.predict(b, x.subarray(0, 3 * shape.inputs), 3)).toThrow(/not made by these kernels/);
  });

  it('fits an ensemble exactly as one thread does, and as the reference kernels replay it', () => {
    const { x: fx, y: fy } = makeFriedman1(300, 10, 1, 5);
    const options = { members: 16, maxEpochs: 6, patience: 3 };
    const one = fitEnsemble(fx, fy, options, { seed: 9, kernels: single });
    const split = fitEnsemble(fx, fy, options, { seed: 9, kernels: parallel });
    expect(decodeFloat32(split.toJSON().params)).toEqual(decodeFloat32(one.toJSON().params));
    expect(split.predict(fx).mean.data).toEqual(one.predict(fx).mean.data);
    // The reference has no block entry: it replays the batches the wasm block draws.
    const reference = fitEnsemble(fx, fy, { ...options, maxEpochs: 2 }, { seed: 9, kernels: referenceMlpKernels });
    const wasm = fitEnsemble(fx, fy, { ...options, maxEpochs: 2 }, { seed: 9, kernels: single });
    const a = decodeFloat32(reference.toJSON().params);
    const b = decodeFloat32(wasm.toJSON().params);
    let worst = 0;
    for (let q = 0; q < a.length; q++) worst = Math.max(worst, Math.abs(a[q] - b[q]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('returns its memory after 100 trainings and predictions in one worker', () => {
    const { x: fx, y: fy } = makeFriedman1(60, 10, 1, 6);
    const start = single.bytesInUse();
    let grownTo = 0;
    for (let run = 0; run < 100; run++) {
      const model = fitEnsemble(fx, fy, { members: 4, hidden: [8], maxEpochs: 2 }, { seed: run, kernels: single });
      model.predict(fx);
      expect(single.bytesInUse()).toBe(start);
      if (run === 2) grownTo = single.memoryBytes();
      if (run > 2) expect(single.memoryBytes()).toBe(grownTo);
    }
  });
});


describe('kernels whose calls are asynchronous, behind a peer', () => {
  let remote: ParallelMlpKernels;
  let worker: Worker;
  beforeAll(async () => {
    worker = new Worker(new URL('./peer-bootstrap.mjs', import.meta.url), { workerData: { module, entry: './async-peer.test-worker.ts' } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    remote = createParallelMlpKernels(null, [{ post: (request) => worker.postMessage(request), close: () => void worker.terminate() }], { name: 'async peer' });
  });
  afterAll(() => remote?.close());

  const rows = 40;
  const x = seededFloat32(rows * shape.inputs, 21);
  const y = seededFloat32(rows * shape.targets, 22);
  const params = seededFloat32(mlpLayout(shape).size, 23).map((v) => v * 0.5);

  it('serves the synchronous interface: every member on the peer, the same numbers as here', () => {
    expect(remote.name).toBe('async peer');
    expect(remote.workers).toBe(1);
    const a = single.createState(shape, params);
    const b = remote.createState(shape, params, { rows: 10 });
    const memberRows = Int32Array.from({ length: shape.members * 30 }, (_, q) => (q * 3) % rows);
    single.trainSteps(a, x, y, memberRows, 8, 5, 12, 3e-3, 1e-2);
    remote.trainSteps(b, x, y, memberRows, 8, 5, 12, 3e-3, 1e-2);
    const indices = Int32Array.from({ length: shape.members * 4 }, (_, q) => (q * 11) % rows);
    single.trainStep(a, x, y, indices, 1e-2, 0);
    remote.trainStep(b, x, y, indices, 1e-2, 0);
    const sa = single.snapshot(a);
    const sb = remote.snapshot(b);
    expect(sb.params).toEqual(sa.params);
    expect(sb.secondMoment).toEqual(sa.secondMoment);
    expect(sb.step).toBe(6);
    expect(remote.predict(b, x, rows)).toEqual(single.predict(a, x, rows));
    remote.writeParams(b, params);
    expect(remote.snapshot(b).params).toEqual(params);
    single.dispose(a);
    remote.dispose(b);
  });

  it('fits an ensemble as the local kernels do, and reports the peer\'s errors', () => {
    const { x: fx, y: fy } = makeFriedman1(120, 10, 1, 8);
    const options = { members: 4, maxEpochs: 4, patience: 2 };
    const here = fitEnsemble(fx, fy, options, { seed: 4, kernels: single });
    const there = fitEnsemble(fx, fy, options, { seed: 4, kernels: remote });
    expect(decodeFloat32(there.toJSON().params)).toEqual(decodeFloat32(here.toJSON().params));
    const b = remote.createState(shape, params);
    const bad = new Int32Array(shape.members * 2).fill(rows + 5);
    expect(() => remote.trainStep(b, x, y, bad, 1e-2, 0)).toThrow(/outside the pool/);
    // Still answering after the failure.
    expect(remote.predict(b, x.subarray(0, 2 * shape.inputs), 2)).toHaveLength(shape.members * 2 * 4);
    remote.dispose(b);
  });
});
