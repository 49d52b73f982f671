// The MLP-ensemble kernels on our AssemblyScript module (wasm/assembly/mlp.ts): one wasm call per
// training step of all members (forward, backward, AdamW), or per block of steps with the
// mini-batch order drawn inside wasm, and batched inference of all members.
//
// This side owns the wasm linear memory: a first-fit allocator with coalescing hands out 16-byte
// aligned blocks above heapBase(), grows the memory when nothing free fits, and takes blocks back
// on dispose, so the memory a kernel set holds stops growing once its largest ensemble has run.
// Inside wasm the layers are padded (fanOut to a multiple of 4, the input to a multiple of 2) with
// zero weights that stay zero; createState, writeParams and snapshot convert from and to the
// unpadded layout of the MlpEnsembleKernels interface.
import {
  type MlpEnsembleKernels,
  type MemberSummary,
  type MlpEnsembleState,
  type MlpLayout,
  type MlpShape,
  mlpLayout,
  networkOutputs,
} from './mlp-reference.ts';
import type { MlpBlockTraining } from './mlp-batches.ts';

export { trainStepsBatchIndices } from './mlp-batches.ts';

interface MlpExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  mlpTrainStep(plan: number, poolX: number, poolY: number, idx: number, batch: number, lr: number, decay: number): void;
  mlpTrainSteps(
    plan: number, poolX: number, poolY: number, memberRows: number, n: number, batch: number, steps: number,
    seed: number, lr: number, decay: number, idx: number, rng: number, firstMember: number,
  ): void;
  mlpPredict(plan: number, x: number, rows: number, out: number): void;
  mlpSummarize(plan: number, out: number, rows: number, mean: number, spread: number, noise: number): void;
  mlpTileRows(): number;
  relaxedSimd(): number;
}

// Plan words, as in wasm/assembly/mlp.ts.
const PLAN_LAYERS = 0;
const PLAN_MEMBERS = 1;
const PLAN_INPUTS = 2;
const PLAN_IN_PAD = 3;
const PLAN_TARGETS = 4;
const PLAN_OUT_WIDTH = 5;
const PLAN_ACTIVATION = 6;
const PLAN_LOSS = 7;
const PLAN_PARAMS = 8;
const PLAN_FIRST_MOMENT = 9;
const PLAN_SECOND_MOMENT = 10;
const PLAN_X0 = 11;
const PLAN_Y0 = 12;
const PLAN_OUT = 13;
const PLAN_DELTA_A = 14;
const PLAN_DELTA_B = 15;
const PLAN_STEP = 16;
const PLAN_LAYER_BASE = 17;
const LAYER_WORDS = 9;
const LAYER_FAN_IN = 0;
const LAYER_FAN_OUT = 1;
const LAYER_WEIGHTS = 2;
const LAYER_BIASES = 3;
const LAYER_ACTIVATIONS = 4;
const LAYER_SLOPES = 5;
const LAYER_WEIGHT_GRADIENT = 6;
const LAYER_BIAS_GRADIENT = 7;
const LAYER_TRANSPOSED = 8;

const PAGE_BYTES = 65_536;
const ALIGN = 16;

/** A first-fit allocator over the linear memory above `base`; sizes are rounded to 16 bytes. */
export class WasmHeap {
  private readonly free: { start: number; size: number }[] = [];
  private readonly used = new Map<number, number>();
  private top: number;
  private inUse = 0;

  constructor(private readonly memory: WebAssembly.Memory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let start = -1;
    for (let q = 0; q < this.free.length; q++) {
      const block = this.free[q];
      if (block.size < size) continue;
      start = block.start;
      if (block.size === size) this.free.splice(q, 1);
      else {
        block.start += size;
        block.size -= size;
      }
      break;
    }
    if (start < 0) {
      // Nothing free fits: take the free block that ends at the top (if any) plus fresh memory.
      const lastFree = this.free.at(-1);
      if (lastFree && lastFree.start + lastFree.size === this.top) {
        this.free.pop();
        this.top = lastFree.start;
      }
      start = this.top;
      this.top += size;
      const missing = this.top - this.memory.buffer.byteLength;
      if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE_BYTES));
    }
    this.used.set(start, size);
    this.inUse += size;
    return start;
  }

  release(start: number): void {
    const size = this.used.get(start);
    if (size === undefined) throw new RangeError('Freeing a wasm block that is not allocated');
    this.used.delete(start);
    this.inUse -= size;
    let q = 0;
    while (q < this.free.length && this.free[q].start < start) q++;
    this.free.splice(q, 0, { start, size });
    // Coalesce with the following and the preceding free block.
    const next = this.free[q + 1];
    if (next && start + size === next.start) {
      this.free[q].size += next.size;
      this.free.splice(q + 1, 1);
    }
    const previous = this.free[q - 1];
    if (previous && previous.start + previous.size === start) {
      previous.size += this.free[q].size;
      this.free.splice(q, 1);
    }
  }

  /** Bytes handed out and not yet released. */
  bytesInUse(): number {
    return this.inUse;
  }
}

export interface WasmMlpKernels extends MlpEnsembleKernels, MlpBlockTraining {
  predictSummary(state: MlpEnsembleState, x: Float32Array, rows: number): MemberSummary;
  /** Bytes of linear memory the module holds (it only grows when a call needs more). */
  memoryBytes(): number;
  /** Bytes of that memory allocated to live states and calls. */
  bytesInUse(): number;
}

interface PaddedLayer {
  readonly fanIn: number;
  readonly fanOut: number;
  readonly paddedIn: number;
  readonly paddedOut: number;
  readonly weightOffset: number;
  readonly biasOffset: number;
}

interface WasmInternal {
  readonly layout: MlpLayout;
  readonly layers: readonly PaddedLayer[];
  readonly plan: number;
  readonly params: number;
  readonly firstMoment: number;
  readonly secondMoment: number;
  /** Per-tile buffers, per-layer gradients and transposed weights, and xorshift32 states. */
  readonly scratch: number;
  readonly rngAt: number;
  /** members × batch indices, grown on demand. */
  indices: { at: number; capacity: number } | null;
  pool: { x: Float32Array; y: Float32Array; xAt: number; yAt: number } | null;
}

const roundUp = (v: number, to: number) => Math.ceil(v / to) * to;

function paddedLayers(shape: MlpShape): { layers: PaddedLayer[]; size: number } {
  const widths = [shape.inputs, ...shape.hidden, networkOutputs(shape)];
  const padded = [roundUp(shape.inputs, 2), ...widths.slice(1).map((w) => roundUp(w, 4))];
  const layers: PaddedLayer[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const weightOffset = offset;
    offset += shape.members * padded[l] * padded[l + 1];
    layers.push({ fanIn: widths[l], fanOut: widths[l + 1], paddedIn: padded[l], paddedOut: padded[l + 1], weightOffset, biasOffset: offset });
    offset += shape.members * padded[l + 1];
  }
  return { layers, size: offset };
}

/** Copies between the interface layout (flat) and the padded layout (heap at `at`, float index). */
function convertLayout(shape: MlpShape, layout: MlpLayout, layers: readonly PaddedLayer[], flat: Float32Array, heap: Float32Array, at: number, toHeap: boolean): void {
  layers.forEach((padded, l) => {
    const { weightOffset, biasOffset } = layout.layers[l];
    const { fanIn, fanOut, paddedIn, paddedOut } = padded;
    for (let k = 0; k < shape.members; k++) {
      for (let p = 0; p < fanIn; p++) {
        const from = weightOffset + (k * fanIn + p) * fanOut;
        const to = at + padded.weightOffset + (k * paddedIn + p) * paddedOut;
        if (toHeap) heap.set(flat.subarray(from, from + fanOut), to);
        else flat.set(heap.subarray(to, to + fanOut), from);
      }
      const from = biasOffset + k * fanOut;
      const to = at + padded.biasOffset + k * paddedOut;
      if (toHeap) heap.set(flat.subarray(from, from + fanOut), to);
      else flat.set(heap.subarray(to, to + fanOut), from);
    }
  });
}

/**
 * The smallest module that uses f32x4.relaxed_madd: validates only where relaxed SIMD is on
 * (Chromium; Node 20 with --experimental-wasm-relaxed-simd), where kernels-relaxed.wasm may be used.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a,
  0x13, 0x01, 0x11, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x85, 0x02, 0x0b,
]);

let relaxedSimdSupport: boolean | undefined;

export function supportsWasmRelaxedSimd(): boolean {
  if (relaxedSimdSupport === undefined) {
    try {
      relaxedSimdSupport = WebAssembly.validate(RELAXED_SIMD_PROBE);
    } catch {
      relaxedSimdSupport = false;
    }
  }
  return relaxedSimdSupport;
}

/**
 * Kernels on a compiled kernels.wasm or kernels-relaxed.wasm (wasm/build/); named 'wasm-simd' or
 * 'wasm-relaxed-simd' after the build. Pick the relaxed one only where supportsWasmRelaxedSimd().
 */
export async function instantiateWasmMlpKernels(source: WebAssembly.Module | BufferSource): Promise<WasmMlpKernels> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  const wasm = instance.exports as unknown as MlpExports;
  const heap = new WasmHeap(wasm.memory, wasm.heapBase());
  const tileRows = wasm.mlpTileRows();
  const name = wasm.relaxedSimd() ? 'wasm-relaxed-simd' : 'wasm-simd';
  const internals = new WeakMap<MlpEnsembleState, WasmInternal>();

  // Views are made afresh after every allocation: growing the memory detaches the old buffer.
  const f32 = () => new Float32Array(wasm.memory.buffer);
  const i32 = () => new Int32Array(wasm.memory.buffer);

  function internalOf(state: MlpEnsembleState): WasmInternal {
    const internal = internals.get(state);
    if (!internal) throw new RangeError('This MLP state was not made by these wasm kernels, or was disposed');
    return internal;
  }

  /**
   * Allocates a state's scratch and writes its addresses into the plan: per tile of rows the
   * inputs, targets, outputs and errors and each hidden layer's activations and slopes; per layer
   * one member's weight and bias gradients and transposed weights; a random state per member.
   */
  function allocateScratch(shape: MlpShape, layers: readonly PaddedLayer[], plan: number): { scratch: number; rngAt: number } {
    const last = layers[layers.length - 1];
    const widest = Math.max(...layers.map((l) => l.paddedOut));
    const planBlocks: [number, number][] = [
      [PLAN_X0, tileRows * layers[0].paddedIn],
      [PLAN_Y0, tileRows * shape.targets],
      [PLAN_OUT, tileRows * last.paddedOut],
      [PLAN_DELTA_A, tileRows * widest],
      [PLAN_DELTA_B, tileRows * widest],
    ];
    const layerBlocks: [number, number, number][] = layers.flatMap((l, index) => [
      ...(index + 1 < layers.length
        ? [[index, LAYER_ACTIVATIONS, tileRows * l.paddedOut], [index, LAYER_SLOPES, tileRows * l.paddedOut]] as [number, number, number][]
        : []),
      [index, LAYER_WEIGHT_GRADIENT, l.paddedIn * l.paddedOut],
      [index, LAYER_BIAS_GRADIENT, l.paddedOut],
      [index, LAYER_TRANSPOSED, l.paddedIn * l.paddedOut],
    ]);
    // Every block a whole number of vectors, so every block stays 16-byte aligned.
    const floats = [...planBlocks.map(([, n]) => n), ...layerBlocks.map(([, , n]) => n)].reduce((sum, n) => sum + roundUp(n, 4), 0);
    const scratch = heap.alloc((floats + shape.members) * 4);
    const words = i32();
    let at = scratch;
    for (const [word, n] of planBlocks) {
      words[plan / 4 + word] = at;
      at += roundUp(n, 4) * 4;
    }
    for (const [layer, word, n] of layerBlocks) {
      words[plan / 4 + PLAN_LAYER_BASE + LAYER_WORDS * layer + word] = at;
      at += roundUp(n, 4) * 4;
    }
    return { scratch, rngAt: at };
  }

  /** The state's buffer of members × batch indices, grown when a larger batch comes. */
  function indicesOf(internal: WasmInternal, count: number): number {
    if (!internal.indices || internal.indices.capacity < count) {
      if (internal.indices) heap.release(internal.indices.at);
      internal.indices = { at: heap.alloc(count * 4), capacity: count };
    }
    return internal.indices.at;
  }

  /** The pool's copy in wasm memory, made once per pair of arrays (as the interface allows). */
  function poolOf(state: MlpEnsembleState, internal: WasmInternal, x: Float32Array, y: Float32Array): { xAt: number; yAt: number; rows: number } {
    const { inputs, targets } = state.shape;
    const rows = x.length / inputs;
    if (!Number.isInteger(rows) || y.length !== rows * targets) throw new RangeError('Batch pool shapes disagree');
    if (internal.pool?.x !== x || internal.pool?.y !== y) {
      if (internal.pool) {
        heap.release(internal.pool.xAt);
        heap.release(internal.pool.yAt);
      }
      const xAt = heap.alloc(x.length * 4);
      const yAt = heap.alloc(y.length * 4);
      const memory = f32();
      memory.set(x, xAt / 4);
      memory.set(y, yAt / 4);
      internal.pool = { x, y, xAt, yAt };
    }
    return { xAt: internal.pool.xAt, yAt: internal.pool.yAt, rows };
  }

  function checkIndices(indices: Int32Array, poolRows: number): void {
    for (let q = 0; q < indices.length; q++) {
      const i = indices[q];
      if (!(i >= 0 && i < poolRows)) throw new RangeError('Batch index outside the pool');
    }
  }

  return {
    name,
    memoryBytes: () => wasm.memory.buffer.byteLength,
    bytesInUse: () => heap.bytesInUse(),

    createState(shape, params) {
      const layout = mlpLayout(shape);
      if (params.length !== layout.size) throw new RangeError(`Expected ${layout.size} parameters, got ${params.length}`);
      const { layers, size } = paddedLayers(shape);
      const plan = heap.alloc((PLAN_LAYER_BASE + LAYER_WORDS * layers.length) * 4);
      const paramsAt = heap.alloc(size * 4);
      const firstMoment = heap.alloc(size * 4);
      const secondMoment = heap.alloc(size * 4);
      const memory = f32();
      memory.fill(0, paramsAt / 4, paramsAt / 4 + size);
      memory.fill(0, firstMoment / 4, firstMoment / 4 + size);
      memory.fill(0, secondMoment / 4, secondMoment / 4 + size);
      const words = i32();
      const p = plan / 4;
      words.fill(0, p, p + PLAN_LAYER_BASE + LAYER_WORDS * layers.length);
      words[p + PLAN_LAYERS] = layers.length;
      words[p + PLAN_MEMBERS] = shape.members;
      words[p + PLAN_INPUTS] = shape.inputs;
      words[p + PLAN_IN_PAD] = layers[0].paddedIn;
      words[p + PLAN_TARGETS] = shape.targets;
      words[p + PLAN_OUT_WIDTH] = networkOutputs(shape);
      words[p + PLAN_ACTIVATION] = shape.activation === 'relu' ? 1 : 0;
      words[p + PLAN_LOSS] = shape.loss === 'gaussian-nll' ? 1 : 0;
      words[p + PLAN_PARAMS] = paramsAt;
      words[p + PLAN_FIRST_MOMENT] = firstMoment;
      words[p + PLAN_SECOND_MOMENT] = secondMoment;
      layers.forEach((layer, l) => {
        const at = p + PLAN_LAYER_BASE + LAYER_WORDS * l;
        words[at + LAYER_FAN_IN] = layer.paddedIn;
        words[at + LAYER_FAN_OUT] = layer.paddedOut;
        words[at + LAYER_WEIGHTS] = layer.weightOffset;
        words[at + LAYER_BIASES] = layer.biasOffset;
      });
      convertLayout(shape, layout, layers, params, memory, paramsAt / 4, true);
      const { scratch, rngAt } = allocateScratch(shape, layers, plan);
      const state: MlpEnsembleState = { shape, kernels: name };
      internals.set(state, { layout, layers, plan, params: paramsAt, firstMoment, secondMoment, scratch, rngAt, indices: null, pool: null });
      return state;
    },

    trainStep(state, batchX, batchY, indices, learningRate, weightDecay) {
      const internal = internalOf(state);
      const { members } = state.shape;
      if (indices.length === 0 || indices.length % members !== 0) throw new RangeError('Batch indices must be members × batch size');
      const batch = indices.length / members;
      const pool = poolOf(state, internal, batchX, batchY);
      checkIndices(indices, pool.rows);
      const indicesAt = indicesOf(internal, indices.length);
      i32().set(indices, indicesAt / 4);
      wasm.mlpTrainStep(internal.plan, pool.xAt, pool.yAt, indicesAt, batch, learningRate, weightDecay);
    },

    trainSteps(state, batchX, batchY, memberRows, batchSize, steps, seed, learningRate, weightDecay, firstMember = 0) {
      const internal = internalOf(state);
      const { members } = state.shape;
      const n = memberRows.length / members;
      if (!Number.isInteger(n) || n === 0) throw new RangeError('Member rows must be members × rows per member');
      if (!Number.isInteger(batchSize) || batchSize <= 0 || !Number.isInteger(steps) || steps < 0) {
        throw new RangeError('Batch size must be a positive integer and steps a non-negative one');
      }
      const pool = poolOf(state, internal, batchX, batchY);
      checkIndices(memberRows, pool.rows);
      const indicesAt = indicesOf(internal, members * batchSize);
      const rows = heap.alloc(memberRows.length * 4);
      i32().set(memberRows, rows / 4);
      wasm.mlpTrainSteps(
        internal.plan, pool.xAt, pool.yAt, rows, n, batchSize, steps, seed >>> 0, learningRate, weightDecay, indicesAt, internal.rngAt,
        firstMember,
      );
      heap.release(rows);
    },

    predict(state, x, rows) {
      const internal = internalOf(state);
      const { shape } = state;
      if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * shape.inputs) throw new RangeError('Inputs do not match rows × inputs');
      const width = networkOutputs(shape);
      const count = shape.members * rows * width;
      const xAt = heap.alloc(x.length * 4);
      const outAt = heap.alloc(count * 4);
      f32().set(x, xAt / 4);
      wasm.mlpPredict(internal.plan, xAt, rows, outAt);
      const out = f32().slice(outAt / 4, outAt / 4 + count);
      heap.release(outAt);
      heap.release(xAt);
      return out;
    },

    predictSummary(state, x, rows) {
      const internal = internalOf(state);
      const { shape } = state;
      if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * shape.inputs) throw new RangeError('Inputs do not match rows × inputs');
      const cells = rows * shape.targets;
      const xAt = heap.alloc(x.length * 4);
      const outAt = heap.alloc(shape.members * rows * networkOutputs(shape) * 4);
      const summaryAt = heap.alloc(3 * cells * 8);
      f32().set(x, xAt / 4);
      wasm.mlpPredict(internal.plan, xAt, rows, outAt);
      wasm.mlpSummarize(internal.plan, outAt, rows, summaryAt, summaryAt + cells * 8, summaryAt + 2 * cells * 8);
      const f64 = new Float64Array(wasm.memory.buffer, summaryAt, 3 * cells);
      const summary = {
        mean: f64.slice(0, cells),
        memberVariance: f64.slice(cells, 2 * cells),
        noiseVariance: f64.slice(2 * cells),
      };
      heap.release(summaryAt);
      heap.release(outAt);
      heap.release(xAt);
      return summary;
    },

    snapshot(state) {
      const internal = internalOf(state);
      const memory = f32();
      const read = (at: number) => {
        const flat = new Float32Array(internal.layout.size);
        convertLayout(state.shape, internal.layout, internal.layers, flat, memory, at / 4, false);
        return flat;
      };
      return {
        params: read(internal.params),
        firstMoment: read(internal.firstMoment),
        secondMoment: read(internal.secondMoment),
        step: i32()[internal.plan / 4 + PLAN_STEP],
      };
    },

    writeParams(state, params) {
      const internal = internalOf(state);
      if (params.length !== internal.layout.size) throw new RangeError('Parameter count does not match the ensemble shape');
      convertLayout(state.shape, internal.layout, internal.layers, params, f32(), internal.params / 4, true);
    },

    dispose(state) {
      const internal = internalOf(state);
      internals.delete(state);
      if (internal.pool) {
        heap.release(internal.pool.xAt);
        heap.release(internal.pool.yAt);
      }
      if (internal.indices) heap.release(internal.indices.at);
      heap.release(internal.scratch);
      heap.release(internal.secondMoment);
      heap.release(internal.firstMoment);
      heap.release(internal.params);
      heap.release(internal.plan);
    },
  };
}
