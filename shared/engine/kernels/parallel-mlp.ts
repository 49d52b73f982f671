// The MLP-ensemble kernels spread over several workers: the ensemble's members are split into
// contiguous groups, the calling thread trains group 0 with its own kernels and each peer worker
// (a Web Worker in the browser, a worker_thread in Node) trains one other group with its own
// instance of the same kernels. Members never interact during training, and a block of steps
// draws member k's batches from (seed, k) whatever group k is in, so the split ensemble computes
// bit for bit what one worker computes.
//
// The kernel interface is synchronous, so the calling thread posts a request to every peer, does
// its own share, then blocks on Atomics.wait until each peer has stored the request's sequence
// number in a shared control word. That needs SharedArrayBuffer (a cross-origin-isolated page, or
// Node) and a thread allowed to block (a worker, or Node's main thread; never a page's main thread).
//
// With no local kernels, every member goes to the peers: that is how the engine's synchronous
// path uses kernels whose calls are asynchronous (WebGPU waits on the device), which a peer runs
// with createAsyncMlpPeer while the calling thread blocks.
import { type MlpBlockTraining, hasTrainSteps } from './mlp-batches.ts';
import {
  type MlpEnsembleKernels,
  type MlpEnsembleState,
  type MlpShape,
  type MlpSnapshot,
  mlpLayout,
  networkOutputs,
} from './mlp-reference.ts';

/** Control words shared with one peer. */
const CONTROL_DONE = 0; // sequence number of the last request the peer finished
const CONTROL_STATUS = 1; // 0 ok, 1 failed (message in the error bytes)
const CONTROL_ERROR_LENGTH = 2;
const CONTROL_WORDS = 3;
const ERROR_BYTES = 2048;

/** How long the calling thread waits for one answer before it gives up on the peer. */
const ANSWER_TIMEOUT_MS = 120_000;

export type MlpPeerRequest =
  | { readonly op: 'init'; readonly control: Int32Array; readonly errorBytes: Uint8Array }
  | { readonly op: 'create'; readonly seq: number; readonly id: number; readonly shape: MlpShape; readonly params: Float32Array }
  | {
      readonly op: 'trainSteps';
      readonly seq: number;
      readonly id: number;
      readonly pool?: { readonly x: Float32Array; readonly y: Float32Array };
      readonly memberRows: Int32Array;
      readonly batchSize: number;
      readonly steps: number;
      readonly seed: number;
      readonly learningRate: number;
      readonly weightDecay: number;
      readonly firstMember: number;
    }
  | {
      readonly op: 'trainStep';
      readonly seq: number;
      readonly id: number;
      readonly pool?: { readonly x: Float32Array; readonly y: Float32Array };
      readonly indices: Int32Array;
      readonly learningRate: number;
      readonly weightDecay: number;
    }
  | { readonly op: 'predict'; readonly seq: number; readonly id: number; readonly x: Float32Array; readonly rows: number; readonly out: Float32Array }
  | { readonly op: 'snapshot'; readonly seq: number; readonly id: number; readonly out: Float32Array }
  | { readonly op: 'writeParams'; readonly seq: number; readonly id: number; readonly params: Float32Array }
  | { readonly op: 'dispose'; readonly seq: number; readonly id: number };

/** The calling thread's end of one peer worker. */
export interface MlpPeerLink {
  /** Posts a request (structured clone: typed arrays on a SharedArrayBuffer stay shared). */
  post(request: MlpPeerRequest): void;
  /** Ends the worker. */
  close(): void;
}

export interface ParallelMlpKernels extends MlpEnsembleKernels, MlpBlockTraining {
  /** Threads that train one ensemble: this one and the peers. */
  readonly workers: number;
  /** Ends the peer workers; states made before are unusable afterwards. */
  close(): void;
}

export interface ParallelOptions {
  /** The kernel set's name (default: the local kernels' name and ×threads, or the peers'). */
  readonly name?: string;
  /**
   * Floating-point operations of one call below which a state stays on the calling thread: a
   * round trip to a peer costs tens of microseconds, which small ensembles do not repay.
   * Default 2·10⁶ (about a fifth of a millisecond of our kernels' work).
   */
  readonly minFlopsToSplit?: number;
}

/** True where the calling thread can block on Atomics.wait over shared memory. */
export function canBlockOnSharedMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics?.wait !== 'function') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return false;
  try {
    // Throws on a thread that may not block (a page's main thread).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Contiguous member groups, as equal as possible, at most `workers` of them. */
export function memberGroups(members: number, workers: number): { first: number; count: number }[] {
  const groups = Math.max(1, Math.min(members, workers));
  const out: { first: number; count: number }[] = [];
  let first = 0;
  for (let g = 0; g < groups; g++) {
    const count = Math.floor(members / groups) + (g < members % groups ? 1 : 0);
    out.push({ first, count });
    first += count;
  }
  return out;
}

/** Members first…first+count−1 of a flat parameter array (mlpLayout order) as a smaller ensemble's. */
export function sliceMembers(shape: MlpShape, params: Float32Array, first: number, count: number): Float32Array {
  const full = mlpLayout(shape);
  const part = mlpLayout({ ...shape, members: count });
  const out = new Float32Array(part.size);
  full.layers.forEach(({ fanIn, fanOut, weightOffset, biasOffset }, l) => {
    const w = fanIn * fanOut;
    out.set(params.subarray(weightOffset + first * w, weightOffset + (first + count) * w), part.layers[l].weightOffset);
    out.set(params.subarray(biasOffset + first * fanOut, biasOffset + (first + count) * fanOut), part.layers[l].biasOffset);
  });
  return out;
}

/** The inverse of sliceMembers: writes a smaller ensemble's parameters into members first… of `target`. */
export function placeMembers(shape: MlpShape, target: Float32Array, part: Float32Array, first: number, count: number): void {
  const full = mlpLayout(shape);
  const small = mlpLayout({ ...shape, members: count });
  full.layers.forEach(({ fanIn, fanOut, weightOffset, biasOffset }, l) => {
    const w = fanIn * fanOut;
    const from = small.layers[l];
    target.set(part.subarray(from.weightOffset, from.weightOffset + count * w), weightOffset + first * w);
    target.set(part.subarray(from.biasOffset, from.biasOffset + count * fanOut), biasOffset + first * fanOut);
  });
}

interface PeerChannel {
  readonly link: MlpPeerLink;
  readonly control: Int32Array;
  readonly errorBytes: Uint8Array;
  seq: number;
}

interface Group {
  readonly first: number;
  readonly count: number;
  readonly shape: MlpShape;
  /** The calling thread's state (group 0) or null for a peer's group. */
  readonly local: MlpEnsembleState | null;
  /** The peer and the id of its state (peer groups). */
  readonly peer: PeerChannel | null;
  readonly id: number;
  /** The pool the peer holds for this state. */
  pool: { x: Float32Array; y: Float32Array } | null;
}

interface SplitState {
  readonly groups: Group[];
}

let nextId = 1;

function sharedFloats(count: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, count) * 4));
}

/**
 * Kernels that split each ensemble over this thread (with `local`) and the peers. Peers must run
 * the same kernels build as `local` (createMlpPeer on their side), or the split is not exact.
 */
export function createParallelMlpKernels(
  local: (MlpEnsembleKernels & MlpBlockTraining) | null,
  links: readonly MlpPeerLink[],
  options: ParallelOptions = {},
): ParallelMlpKernels {
  const { minFlopsToSplit = 2e6 } = options;
  if (!local && links.length === 0) throw new RangeError('Parallel kernels need local kernels or a peer');
  const peers: PeerChannel[] = links.map((link) => {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const errorBytes = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
    link.post({ op: 'init', control, errorBytes });
    return { link, control, errorBytes, seq: 0 };
  });
  const states = new WeakMap<MlpEnsembleState, SplitState>();
  const decoder = new TextDecoder();
  let closed = false;

  const send = (peer: PeerChannel, request: (seq: number) => MlpPeerRequest): number => {
    if (closed) throw new Error('The kernel workers were closed');
    peer.seq = (peer.seq + 1) | 0;
    peer.link.post(request(peer.seq));
    return peer.seq;
  };

  /** Blocks until the peer has finished request `seq`; throws the peer's error. */
  const wait = (peer: PeerChannel, seq: number): void => {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(peer.control, CONTROL_DONE);
      if (done === seq) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('A kernel worker stopped answering');
      Atomics.wait(peer.control, CONTROL_DONE, done, left);
    }
    if (Atomics.load(peer.control, CONTROL_STATUS) !== 0) {
      const length = Atomics.load(peer.control, CONTROL_ERROR_LENGTH);
      throw new Error(`Kernel worker: ${decoder.decode(peer.errorBytes.slice(0, length))}`);
    }
  };

  /** Runs `remote` on every peer group and `here` on the local group, then waits for the peers. */
  const each = (split: SplitState, remote: (group: Group, seq: number) => MlpPeerRequest, here: (group: Group) => void): void => {
    const pending: [PeerChannel, number][] = [];
    for (const group of split.groups) {
      if (group.peer) pending.push([group.peer, send(group.peer, (seq) => remote(group, seq))]);
    }
    let failure: unknown = null;
    try {
      for (const group of split.groups) if (group.local) here(group);
    } catch (error) {
      failure = error;
    }
    for (const [peer, seq] of pending) {
      try {
        wait(peer, seq);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  };

  const splitOf = (state: MlpEnsembleState): SplitState => {
    const split = states.get(state);
    if (!split) throw new RangeError('This MLP state was not made by these kernels, or was disposed');
    return split;
  };

  const poolFor = (group: Group, x: Float32Array, y: Float32Array) => {
    if (group.pool?.x === x && group.pool.y === y) return;
    group.pool = { x, y };
    return { x, y };
  };

  const flopsPerRow = (shape: MlpShape) => 2 * mlpLayout(shape).size;

  const name = options.name ?? (local ? (peers.length > 0 ? `${local.name} ×${peers.length + 1}` : local.name) : 'peers');
  const threads = peers.length + (local ? 1 : 0);
  /** The local kernels, which only groups with a local state reach. */
  const own = (): MlpEnsembleKernels & MlpBlockTraining => local!;
  return {
    name,
    workers: threads,

    createState(shape, params, hint) {
      const layout = mlpLayout(shape);
      if (params.length !== layout.size) throw new RangeError(`Expected ${layout.size} parameters, got ${params.length}`);
      // Training costs about three times the forward pass of the rows it sees.
      const work = 3 * flopsPerRow(shape) * (hint?.rows ?? Infinity);
      const workers = work >= minFlopsToSplit ? threads : 1;
      const groups: Group[] = memberGroups(shape.members, workers).map(({ first, count }, g) => {
        const part: MlpShape = { ...shape, members: count };
        if (g === 0 && local) return { first, count, shape: part, local: local.createState(part, memberParams(shape, params, first, count)), peer: null, id: 0, pool: null };
        return { first, count, shape: part, local: null, peer: peers[local ? g - 1 : g], id: nextId++, pool: null };
      });
      const split: SplitState = { groups };
      try {
        each(
          split,
          (group, seq) => ({ op: 'create', seq, id: group.id, shape: group.shape, params: memberParams(shape, params, group.first, group.count) }),
          () => {},
        );
      } catch (error) {
        if (groups[0].local) own().dispose(groups[0].local);
        throw error;
      }
      const state: MlpEnsembleState = { shape, kernels: name };
      states.set(state, split);
      return state;
    },

    trainStep(state, batchX, batchY, indices, learningRate, weightDecay) {
      const split = splitOf(state);
      const { members } = state.shape;
      if (indices.length === 0 || indices.length % members !== 0) throw new RangeError('Batch indices must be members × batch size');
      const batch = indices.length / members;
      const part = (group: Group) => indices.slice(group.first * batch, (group.first + group.count) * batch);
      each(
        split,
        (group, seq) => ({ op: 'trainStep', seq, id: group.id, pool: poolFor(group, batchX, batchY), indices: part(group), learningRate, weightDecay }),
        (group) => own().trainStep(group.local!, batchX, batchY, part(group), learningRate, weightDecay),
      );
    },

    trainSteps(state, batchX, batchY, memberRows, batchSize, steps, seed, learningRate, weightDecay, firstMember = 0) {
      const split = splitOf(state);
      const n = memberRows.length / state.shape.members;
      if (!Number.isInteger(n) || n === 0) throw new RangeError('Member rows must be members × rows per member');
      const part = (group: Group) => memberRows.slice(group.first * n, (group.first + group.count) * n);
      each(
        split,
        (group, seq) => ({
          op: 'trainSteps',
          seq,
          id: group.id,
          pool: poolFor(group, batchX, batchY),
          memberRows: part(group),
          batchSize,
          steps,
          seed,
          learningRate,
          weightDecay,
          firstMember: firstMember + group.first,
        }),
        (group) => own().trainSteps(group.local!, batchX, batchY, part(group), batchSize, steps, seed, learningRate, weightDecay, firstMember + group.first),
      );
    },

    predict(state, x, rows) {
      const split = splitOf(state);
      const width = networkOutputs(state.shape);
      if (split.groups.length === 1 && split.groups[0].local) return own().predict(split.groups[0].local, x, rows);
      const out = sharedFloats(state.shape.members * rows * width);
      each(
        split,
        (group, seq) => ({
          op: 'predict',
          seq,
          id: group.id,
          x,
          rows,
          out: out.subarray(group.first * rows * width, (group.first + group.count) * rows * width),
        }),
        (group) => out.set(own().predict(group.local!, x, rows), group.first * rows * width),
      );
      return out.slice();
    },

    snapshot(state) {
      const split = splitOf(state);
      if (split.groups.length === 1 && split.groups[0].local) return own().snapshot(split.groups[0].local);
      const size = mlpLayout(state.shape).size;
      const snapshot: MlpSnapshot = {
        params: new Float32Array(size),
        firstMoment: new Float32Array(size),
        secondMoment: new Float32Array(size),
        step: 0,
      };
      const buffers = new Map<Group, Float32Array>();
      let step = 0;
      each(
        split,
        (group, seq) => {
          // Parameters, both moments, and the step count last.
          const out = sharedFloats(3 * mlpLayout(group.shape).size + 1);
          buffers.set(group, out);
          return { op: 'snapshot', seq, id: group.id, out };
        },
        (group) => {
          const mine = own().snapshot(group.local!);
          step = mine.step;
          placeMembers(state.shape, snapshot.params, mine.params, group.first, group.count);
          placeMembers(state.shape, snapshot.firstMoment, mine.firstMoment, group.first, group.count);
          placeMembers(state.shape, snapshot.secondMoment, mine.secondMoment, group.first, group.count);
        },
      );
      for (const [group, out] of buffers) {
        const partSize = (out.length - 1) / 3;
        step = out[3 * partSize];
        placeMembers(state.shape, snapshot.params, out.subarray(0, partSize), group.first, group.count);
        placeMembers(state.shape, snapshot.firstMoment, out.subarray(partSize, 2 * partSize), group.first, group.count);
        placeMembers(state.shape, snapshot.secondMoment, out.subarray(2 * partSize), group.first, group.count);
      }
      return { ...snapshot, step };
    },

    writeParams(state, params) {
      const split = splitOf(state);
      if (params.length !== mlpLayout(state.shape).size) throw new RangeError('Parameter count does not match the ensemble shape');
      each(
        split,
        (group, seq) => ({ op: 'writeParams', seq, id: group.id, params: sliceMembers(state.shape, params, group.first, group.count) }),
        (group) => own().writeParams(group.local!, sliceMembers(state.shape, params, group.first, group.count)),
      );
    },

    dispose(state) {
      const split = splitOf(state);
      states.delete(state);
      each(
        split,
        (group, seq) => ({ op: 'dispose', seq, id: group.id }),
        (group) => own().dispose(group.local!),
      );
    },

    close() {
      if (closed) return;
      closed = true;
      for (const peer of peers) peer.link.close();
    },
  };
}

/** A copy of members first…first+count−1 of `params`. */
function memberParams(shape: MlpShape, params: Float32Array, first: number, count: number): Float32Array {
  return first === 0 && count === shape.members ? Float32Array.from(params) : sliceMembers(shape, params, first, count);
}

/**
 * The peer side: answers the requests of createParallelMlpKernels with these kernels. Call
 * `handle` with every message the worker receives, in order.
 */
export function createMlpPeer(kernels: MlpEnsembleKernels): { handle(request: MlpPeerRequest): void } {
  if (!hasTrainSteps(kernels)) throw new TypeError('Peer kernels must train blocks of steps');
  const block = kernels;
  return peerResponder(kernels, (state, request) => {
    block.trainSteps(state, request.x, request.y, request.memberRows, request.batchSize, request.steps, request.seed, request.learningRate, request.weightDecay, request.firstMember);
  }, (request, run) => run());
}

/**
 * Kernels whose calls may return promises (WebGPU's wait on the device), as a peer serves them:
 * createState, writeParams and dispose synchronous (queued on the device in call order), the rest
 * possibly asynchronous. trainSteps draws the batches of the wasm kernels' trainSteps.
 */
export interface AsyncPeerKernels {
  createState(shape: MlpShape, params: Float32Array): MlpEnsembleState;
  trainStep(state: MlpEnsembleState, x: Float32Array, y: Float32Array, indices: Int32Array, learningRate: number, weightDecay: number): void | Promise<void>;
  trainSteps(
    state: MlpEnsembleState, x: Float32Array, y: Float32Array, memberRows: Int32Array, batchSize: number, steps: number, seed: number,
    learningRate: number, weightDecay: number,
  ): void | Promise<void>;
  predict(state: MlpEnsembleState, x: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  snapshot(state: MlpEnsembleState): MlpSnapshot | Promise<MlpSnapshot>;
  writeParams(state: MlpEnsembleState, params: Float32Array): void;
  dispose(state: MlpEnsembleState): void;
}

/**
 * A peer over kernels with asynchronous calls: requests run one after another, each answered (the
 * caller unblocked) once its promise settles. It holds whole ensembles: a split that gives it
 * members other than the first ones is refused, since it does not take the member offset.
 */
export function createAsyncMlpPeer(kernels: AsyncPeerKernels): { handle(request: MlpPeerRequest): void } {
  let queue: Promise<void> = Promise.resolve();
  return peerResponder(kernels, (state, request) => {
    if (request.firstMember !== 0) throw new RangeError('These kernels train whole ensembles only');
    return kernels.trainSteps(state, request.x, request.y, request.memberRows, request.batchSize, request.steps, request.seed, request.learningRate, request.weightDecay);
  }, (_request, run) => {
    queue = queue.then(run);
  });
}

type TrainStepsRequest = Extract<MlpPeerRequest, { op: 'trainSteps' }> & { readonly x: Float32Array; readonly y: Float32Array };

/**
 * The request handling both peers share: states by id, the training pool each was sent, and the
 * answer written into the control words (status, error text, then the sequence number, which
 * wakes the caller). `schedule` runs each request now (synchronous kernels) or after the previous
 * one has settled (asynchronous ones).
 */
function peerResponder(
  kernels: Omit<AsyncPeerKernels, 'trainSteps'>,
  trainSteps: (state: MlpEnsembleState, request: TrainStepsRequest) => void | Promise<void>,
  schedule: (request: MlpPeerRequest, run: () => void | Promise<void>) => void,
): { handle(request: MlpPeerRequest): void } {
  const states = new Map<number, { state: MlpEnsembleState; pool: { x: Float32Array; y: Float32Array } | null }>();
  const encoder = new TextEncoder();
  let control: Int32Array | null = null;
  let errorBytes: Uint8Array | null = null;

  const entry = (id: number) => {
    const found = states.get(id);
    if (!found) throw new RangeError(`No state ${id} on this worker`);
    return found;
  };
  const poolOf = (id: number, pool: { readonly x: Float32Array; readonly y: Float32Array } | undefined) => {
    const found = entry(id);
    if (pool) found.pool = { x: pool.x, y: pool.y };
    if (!found.pool) throw new RangeError('No training rows were sent for this state');
    return { state: found.state, pool: found.pool };
  };

  const run = (request: Exclude<MlpPeerRequest, { op: 'init' }>): void | Promise<void> => {
    switch (request.op) {
      case 'create':
        states.set(request.id, { state: kernels.createState(request.shape, request.params), pool: null });
        return;
      case 'trainSteps': {
        const { state, pool } = poolOf(request.id, request.pool);
        return trainSteps(state, { ...request, x: pool.x, y: pool.y });
      }
      case 'trainStep': {
        const { state, pool } = poolOf(request.id, request.pool);
        return kernels.trainStep(state, pool.x, pool.y, request.indices, request.learningRate, request.weightDecay);
      }
      case 'predict': {
        const out = kernels.predict(entry(request.id).state, request.x, request.rows);
        if (out instanceof Promise) return out.then((values) => request.out.set(values));
        request.out.set(out);
        return;
      }
      case 'snapshot': {
        const write = (snapshot: MlpSnapshot) => {
          const size = snapshot.params.length;
          request.out.set(snapshot.params, 0);
          request.out.set(snapshot.firstMoment, size);
          request.out.set(snapshot.secondMoment, 2 * size);
          if (request.out.length > 3 * size) request.out[3 * size] = snapshot.step;
        };
        const snapshot = kernels.snapshot(entry(request.id).state);
        if (snapshot instanceof Promise) return snapshot.then(write);
        write(snapshot);
        return;
      }
      case 'writeParams':
        kernels.writeParams(entry(request.id).state, request.params);
        return;
      case 'dispose': {
        const found = states.get(request.id);
        states.delete(request.id);
        if (found) kernels.dispose(found.state);
        return;
      }
    }
  };

  const answer = (seq: number, error: unknown): void => {
    if (!control || !errorBytes) return;
    if (error === null) {
      Atomics.store(control, CONTROL_STATUS, 0);
    } else {
      const text = encoder.encode(error instanceof Error ? error.message : String(error)).subarray(0, ERROR_BYTES);
      errorBytes.set(text);
      Atomics.store(control, CONTROL_ERROR_LENGTH, text.length);
      Atomics.store(control, CONTROL_STATUS, 1);
    }
    Atomics.store(control, CONTROL_DONE, seq);
    Atomics.notify(control, CONTROL_DONE);
  };

  return {
    handle(request) {
      if (request.op === 'init') {
        control = request.control;
        errorBytes = request.errorBytes;
        return;
      }
      if (!control || !errorBytes) throw new Error('A kernel peer got a request before its init');
      schedule(request, () => {
        try {
          const pending = run(request);
          if (pending instanceof Promise) return pending.then(() => answer(request.seq, null), (error: unknown) => answer(request.seq, error));
          answer(request.seq, null);
        } catch (error) {
          answer(request.seq, error);
        }
      });
    },
  };
}
