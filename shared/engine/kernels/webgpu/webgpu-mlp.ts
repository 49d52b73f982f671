/// <reference types="@webgpu/types" />
// The MLP-ensemble kernels on WebGPU (WGSL compute shaders, shaders.ts): a training step of all
// members is 3L + 4 dispatches in one command buffer (forward, output delta, weight gradients,
// deltas below, AdamW), and trainSteps encodes STEPS_PER_SUBMIT steps per command buffer, the
// per-step numbers (batch rows, index offset, bias corrections) in Run records bound at dynamic
// offsets. Inference runs all members on chunks of rows and can reduce across members on the
// device (predictSummary), so only rows × targets × 3 numbers come back.
//
// WebGPU reads results back asynchronously, so these kernels implement the MlpEnsembleKernels
// contract with promises (AsyncMlpEnsembleKernels below): same arguments, same results, the calls
// that touch the device resolve when the device has finished. Buffers (parameters, moments,
// gradients, activations, the pool, indices, readback) belong to a state and are reused between
// calls, grown only when a larger batch or row count comes. A lost device makes every call throw
// WebGpuUnavailableError, so that callers can fall back to the wasm kernels.
import {
  type MemberSummary,
  type MlpEnsembleState,
  type MlpLayout,
  type MlpShape,
  type MlpSnapshot,
  mlpLayout,
  networkOutputs,
} from '../mlp-reference.ts';
import { trainStepsBatchIndices } from '../wasm-mlp.ts';
import {
  type KernelLimits,
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
  ADAM_GROUP,
  type BindingKind,
  type InputMode,
  type KernelSource,
  type MatmulForm,
  ROW_GROUP,
  TILE,
  adamWKernel,
  deltaBelowKernel,
  forwardKernel,
  outputDeltaKernel,
  summaryKernel,
  weightGradientKernel,
} from './shaders.ts';

/** The MlpEnsembleKernels contract, with the calls that wait on the device returning promises. */
export interface AsyncMlpEnsembleKernels {
  readonly name: string;
  /** A fresh state with these parameters (copied) and zero optimizer moments. */
  createState(shape: MlpShape, params: Float32Array): MlpEnsembleState;
  /** As MlpEnsembleKernels.trainStep; resolves when the step has run on the device. */
  trainStep(
    state: MlpEnsembleState,
    batchX: Float32Array,
    batchY: Float32Array,
    perMemberBatchIndices: Int32Array,
    learningRate: number,
    weightDecay: number,
  ): Promise<void>;
  /**
   * `steps` training steps on the mini-batches trainStepsBatchIndices draws (the order the wasm
   * kernels' trainSteps uses), STEPS_PER_SUBMIT steps per command buffer.
   */
  trainSteps(
    state: MlpEnsembleState,
    batchX: Float32Array,
    batchY: Float32Array,
    memberRows: Int32Array,
    batchSize: number,
    steps: number,
    seed: number,
    learningRate: number,
    weightDecay: number,
  ): Promise<void>;
  /** Raw network outputs of every member: members × rows × networkOutputs(shape), row-major. */
  predict(state: MlpEnsembleState, x: Float32Array, rows: number): Promise<Float32Array>;
  /** summarizeMembers of predict's outputs, reduced across members on the device. */
  predictSummary(state: MlpEnsembleState, x: Float32Array, rows: number): Promise<MemberSummary>;
  snapshot(state: MlpEnsembleState): Promise<MlpSnapshot>;
  /**
   * Replaces the parameters; the optimizer moments stay. Queued in order with the device work
   * already submitted: await a running trainSteps first.
   */
  writeParams(state: MlpEnsembleState, params: Float32Array): void;
  /** Frees the state's device memory once its queued work has finished. */
  dispose(state: MlpEnsembleState): void;
}

export interface WebGpuAdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for a software adapter such as SwiftShader (where the browser says so). */
  readonly fallback: boolean;
}

export interface WebGpuMlpKernels extends AsyncMlpEnsembleKernels {
  readonly adapter: WebGpuAdapterDescription;
  readonly limits: KernelLimits;
  readonly matmul: MatmulForm;
  /**
   * Bytes of device buffers the live states hold (parameters, moments, scratch, pool, readback);
   * constant across repeated calls of one size, 0 once every state is disposed and its work done.
   */
  bytesHeld(): number;
  /** Releases the device; every state becomes unusable. */
  destroy(): void;
}

/** WebGPU is missing, refused, or its device was lost: use another kernel set. */
export class WebGpuUnavailableError extends Error {
  override readonly name = 'WebGpuUnavailableError';
}

export function supportsWebGpu(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu !== undefined;
}

interface Pool {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly xBuffer: GPUBuffer;
  readonly yBuffer: GPUBuffer;
  readonly rows: number;
}

interface GrowingBuffer {
  buffer: GPUBuffer;
  bytes: number;
}

interface GpuInternal {
  readonly shape: MlpShape;
  readonly layout: MlpLayout;
  readonly params: GPUBuffer;
  readonly firstMoment: GPUBuffer;
  readonly secondMoment: GPUBuffer;
  readonly gradient: GPUBuffer;
  readonly decay: GPUBuffer;
  readonly layerUniform: GPUBuffer;
  step: number;
  /** Rows per member the activation buffers hold; deltaRows likewise for the deltas. */
  forwardRows: number;
  deltaRows: number;
  pre: GPUBuffer[];
  post: GPUBuffer[];
  delta: GPUBuffer[];
  pool: Pool | null;
  indices: GrowingBuffer | null;
  runs: GrowingBuffer | null;
  input: GrowingBuffer | null;
  summary: GrowingBuffer | null;
  readback: GrowingBuffer | null;
  readonly bindGroups: Map<string, GPUBindGroup>;
  /** The state's device calls, one after another (they share the readback buffer). */
  chain: Promise<unknown>;
  /** Errors of createState's allocations, reported by the next call. */
  pendingErrors: Promise<GPUError | null>;
}

const STORAGE = 0x80; // GPUBufferUsage.STORAGE (the global exists only where WebGPU does)
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const UNIFORM = 0x40;
const MAP_READ = 0x01;
const MAP_MODE_READ = 0x01;
const COMPUTE = 0x4; // GPUShaderStage.COMPUTE
const RUN_BYTES = 32;
const LAYER_BYTES = 32;

/**
 * Kernels on a WebGPU device: the one given, or one requested from the high-performance adapter
 * with that adapter's largest buffer limits. Throws WebGpuUnavailableError where there is none.
 */
export interface WebGpuKernelOptions {
  /** Use this device instead of requesting one. */
  readonly device?: GPUDevice;
  readonly powerPreference?: GPUPowerPreference;
  /** At most this many rows per inference chunk (tests use it to cross chunk boundaries). */
  readonly maxChunkRows?: number;
  /** Matrix-product form; by default 'direct' on software adapters, 'tiled' on hardware ones. */
  readonly matmul?: MatmulForm;
}

export async function createWebGpuMlpKernels(options: WebGpuKernelOptions = {}): Promise<WebGpuMlpKernels> {
  let device = options.device;
  let info: GPUAdapterInfo | undefined;
  if (!device) {
    if (!supportsWebGpu()) throw new WebGpuUnavailableError('WebGPU is not available here');
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    if (!adapter) throw new WebGpuUnavailableError('No WebGPU adapter is available');
    info = adapter.info;
    try {
      device = await adapter.requestDevice({
        requiredLimits: {
          maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
          maxBufferSize: adapter.limits.maxBufferSize,
        },
      });
    } catch (error) {
      throw new WebGpuUnavailableError(`The WebGPU adapter refused a device: ${(error as Error).message}`);
    }
  }
  const adapter = describeAdapter(info ?? device.adapterInfo);
  return webGpuMlpKernelsOn(device, adapter, options.maxChunkRows ?? Infinity, options.matmul ?? (adapter.fallback ? 'direct' : 'tiled'));
}

/** What the browser tells of an adapter, and whether it is a software one. */
export function describeAdapter(info: GPUAdapterInfo | undefined): WebGpuAdapterDescription {
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter;
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.device ?? ''} ${info?.description ?? ''}`;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    fallback: fallback ?? /swiftshader|llvmpipe|software/i.test(text),
  };
}

function webGpuMlpKernelsOn(device: GPUDevice, adapter: WebGpuAdapterDescription, maxChunkRows: number, form: MatmulForm): WebGpuMlpKernels {
  const limits: KernelLimits = {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  };
  let lost: string | null = null;
  let destroyed = false;
  void device.lost.then((why) => {
    lost = `${why.reason}: ${why.message}`;
  });
  const internals = new WeakMap<MlpEnsembleState, GpuInternal>();
  const pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  const runLayout = device.createBindGroupLayout({
    label: 'run record',
    entries: [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: RUN_BYTES } }],
  });

  function assertDevice(): void {
    if (destroyed) throw new WebGpuUnavailableError('These WebGPU kernels were destroyed; use another kernel set');
    if (lost !== null) throw new WebGpuUnavailableError(`The WebGPU device was lost (${lost}); use another kernel set`);
  }

  function internalOf(state: MlpEnsembleState): GpuInternal {
    const internal = internals.get(state);
    if (!internal) throw new RangeError('This MLP state was not made by these WebGPU kernels, or was disposed');
    return internal;
  }

  function pipelineOf(key: string, make: () => KernelSource) {
    let entry = pipelines.get(key);
    if (!entry) {
      const { code, bindings } = make();
      const layout = device.createBindGroupLayout({
        label: key,
        entries: bindings.map((kind: BindingKind, binding) => ({
          binding,
          visibility: COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' } as GPUBufferBindingLayout,
        })),
      });
      const pipeline = device.createComputePipeline({
        label: key,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout, runLayout] }),
        compute: { module: device.createShaderModule({ label: key, code }), entryPoint: 'main' },
      });
      entry = { pipeline, layout };
      pipelines.set(key, entry);
    }
    return entry;
  }

  const forward = (mode: InputMode, shape: MlpShape, hidden: boolean) =>
    pipelineOf(`forward ${mode} ${shape.activation} ${hidden ? 'hidden' : 'output'}`, () => forwardKernel(mode, shape.activation, hidden, form));
  const deltaBelow = (shape: MlpShape) => pipelineOf(`delta below ${shape.activation}`, () => deltaBelowKernel(shape.activation, form));
  const weightGradient = (mode: InputMode) => pipelineOf(`weight gradient ${mode}`, () => weightGradientKernel(mode, form));
  const outputDelta = (shape: MlpShape) => pipelineOf(`output delta ${shape.loss}`, () => outputDeltaKernel(shape.loss));
  const adamW = () => pipelineOf('adamw', adamWKernel);
  const summary = (shape: MlpShape) => pipelineOf(`summary ${shape.loss}`, () => summaryKernel(shape.loss));

  let bytesHeld = 0;

  function createBuffer(label: string, bytes: number, usage: number): GPUBuffer {
    bytesHeld += bytes;
    return device.createBuffer({ label, size: bytes, usage });
  }

  function release(buffer: GPUBuffer): void {
    bytesHeld -= buffer.size;
    buffer.destroy();
  }

  /** A buffer of at least `bytes`, reallocated (contents dropped) when too small. */
  function grow(internal: GpuInternal, current: GrowingBuffer | null, label: string, bytes: number, usage: number): GrowingBuffer {
    if (current && current.bytes >= bytes) return current;
    if (current) release(current.buffer);
    internal.bindGroups.clear();
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    return { buffer: createBuffer(label, size, usage), bytes: size };
  }

  function ensureForwardRows(internal: GpuInternal, rows: number): void {
    if (internal.forwardRows >= rows) return;
    const { shape, layout } = internal;
    for (const buffer of [...internal.pre, ...internal.post]) release(buffer);
    internal.pre = layout.layers.map((l, i) => createBuffer(`pre ${i}`, bufferBytes(shape.members * rows * l.fanOut), STORAGE | COPY_SRC));
    internal.post = layout.layers.slice(0, -1).map((l, i) => createBuffer(`post ${i}`, bufferBytes(shape.members * rows * l.fanOut), STORAGE));
    internal.forwardRows = rows;
    internal.bindGroups.clear();
  }

  function ensureDeltaRows(internal: GpuInternal, rows: number): void {
    if (internal.deltaRows >= rows) return;
    for (const buffer of internal.delta) release(buffer);
    internal.delta = internal.layout.layers.map((l, i) => createBuffer(`delta ${i}`, bufferBytes(internal.shape.members * rows * l.fanOut), STORAGE));
    internal.deltaRows = rows;
    internal.bindGroups.clear();
  }

  function ensurePool(internal: GpuInternal, x: Float32Array, y: Float32Array): Pool {
    if (internal.pool?.x === x && internal.pool.y === y) return internal.pool;
    const rows = poolRows(internal.shape, x, y);
    if (internal.pool) {
      release(internal.pool.xBuffer);
      release(internal.pool.yBuffer);
    }
    const xBuffer = createBuffer('pool x', bufferBytes(x.length), STORAGE | COPY_DST);
    const yBuffer = createBuffer('pool y', bufferBytes(y.length), STORAGE | COPY_DST);
    device.queue.writeBuffer(xBuffer, 0, x);
    device.queue.writeBuffer(yBuffer, 0, y);
    internal.pool = { x, y, xBuffer, yBuffer, rows };
    internal.bindGroups.clear();
    return internal.pool;
  }

  function bindGroup(internal: GpuInternal, key: string, entry: { layout: GPUBindGroupLayout }, resources: GPUBindingResource[]): GPUBindGroup {
    let group = internal.bindGroups.get(key);
    if (!group) {
      group = device.createBindGroup({ label: key, layout: entry.layout, entries: resources.map((resource, binding) => ({ binding, resource })) });
      internal.bindGroups.set(key, group);
    }
    return group;
  }

  const layerResource = (internal: GpuInternal, l: number): GPUBufferBinding => ({ buffer: internal.layerUniform, offset: l * RECORD_BYTES, size: LAYER_BYTES });
  const whole = (buffer: GPUBuffer): GPUBufferBinding => ({ buffer });

  function runGroup(internal: GpuInternal): GPUBindGroup {
    const runs = internal.runs;
    if (!runs) throw new Error('No run records allocated');
    return bindGroup(internal, 'run', { layout: runLayout }, [{ buffer: runs.buffer, offset: 0, size: RUN_BYTES }]);
  }

  function writeRuns(internal: GpuInternal, records: Parameters<typeof writeRunRecord>[2][]): void {
    internal.runs = grow(internal, internal.runs, 'run records', records.length * RECORD_BYTES, UNIFORM | COPY_DST);
    const bytes = new ArrayBuffer(records.length * RECORD_BYTES);
    records.forEach((record, index) => writeRunRecord(bytes, index, record));
    device.queue.writeBuffer(internal.runs.buffer, 0, bytes);
  }

  /** Forward dispatches of every layer for `rows` rows per member; layer 0 reads `mode`'s input. */
  function encodeForward(pass: GPUComputePassEncoder, internal: GpuInternal, mode: 'gather' | 'shared', rows: number, run: GPUBindGroup, runIndex: number): void {
    const { shape, layout } = internal;
    const last = layout.layers.length - 1;
    layout.layers.forEach(({ fanOut }, l) => {
      const inputMode: InputMode = l === 0 ? mode : 'member';
      const pipeline = forward(inputMode, shape, l < last);
      const source =
        l > 0 ? [whole(internal.post[l - 1])]
        : mode === 'gather' ? [whole(internal.pool!.xBuffer), whole(internal.indices!.buffer)]
        : [whole(internal.input!.buffer)];
      const outputs = l < last ? [whole(internal.pre[l]), whole(internal.post[l])] : [whole(internal.pre[l])];
      pass.setPipeline(pipeline.pipeline);
      pass.setBindGroup(0, bindGroup(internal, `forward ${mode} ${l}`, pipeline, [layerResource(internal, l), whole(internal.params), ...source, ...outputs]));
      pass.setBindGroup(1, run, [runIndex * RECORD_BYTES]);
      pass.dispatchWorkgroups(Math.ceil(fanOut / TILE), Math.ceil(rows / TILE), shape.members);
    });
  }

  function encodeTrainingStep(pass: GPUComputePassEncoder, internal: GpuInternal, batch: number, run: GPUBindGroup, runIndex: number): void {
    const { shape, layout } = internal;
    const last = layout.layers.length - 1;
    const pool = internal.pool!;
    const indices = whole(internal.indices!.buffer);
    encodeForward(pass, internal, 'gather', batch, run, runIndex);

    const lossPipeline = outputDelta(shape);
    pass.setPipeline(lossPipeline.pipeline);
    pass.setBindGroup(0, bindGroup(internal, 'output delta', lossPipeline, [
      layerResource(internal, last), whole(internal.pre[last]), whole(pool.yBuffer), indices, whole(internal.delta[last]),
    ]));
    pass.setBindGroup(1, run, [runIndex * RECORD_BYTES]);
    pass.dispatchWorkgroups(Math.ceil(batch / ROW_GROUP), shape.members);

    for (let l = last; l >= 0; l--) {
      const { fanIn, fanOut } = layout.layers[l];
      const mode: InputMode = l === 0 ? 'gather' : 'member';
      const gradientPipeline = weightGradient(mode);
      const input = l === 0 ? [whole(pool.xBuffer), indices] : [whole(internal.post[l - 1])];
      pass.setPipeline(gradientPipeline.pipeline);
      pass.setBindGroup(0, bindGroup(internal, `weight gradient ${l}`, gradientPipeline, [
        layerResource(internal, l), ...input, whole(internal.delta[l]), whole(internal.gradient),
      ]));
      pass.setBindGroup(1, run, [runIndex * RECORD_BYTES]);
      pass.dispatchWorkgroups(Math.ceil(fanOut / TILE), Math.ceil((fanIn + 1) / TILE), shape.members);
      if (l > 0) {
        const belowPipeline = deltaBelow(shape);
        pass.setPipeline(belowPipeline.pipeline);
        pass.setBindGroup(0, bindGroup(internal, `delta below ${l}`, belowPipeline, [
          layerResource(internal, l), whole(internal.params), whole(internal.delta[l]), whole(internal.pre[l - 1]), whole(internal.delta[l - 1]),
        ]));
        pass.setBindGroup(1, run, [runIndex * RECORD_BYTES]);
        pass.dispatchWorkgroups(Math.ceil(fanIn / TILE), Math.ceil(batch / TILE), shape.members);
      }
    }

    const adam = adamW();
    const exact = (buffer: GPUBuffer): GPUBufferBinding => ({ buffer, size: layout.size * 4 });
    pass.setPipeline(adam.pipeline);
    pass.setBindGroup(0, bindGroup(internal, 'adamw', adam, [
      exact(internal.gradient), exact(internal.decay), exact(internal.params), exact(internal.firstMoment), exact(internal.secondMoment),
    ]));
    pass.setBindGroup(1, run, [runIndex * RECORD_BYTES]);
    pass.dispatchWorkgroups(...foldedGrid(layout.size, ADAM_GROUP, limits));
  }

  /**
   * Submits what `encode` records, inside error scopes, and resolves when the device has run it;
   * validation and out-of-memory errors reject, as does a lost device.
   */
  async function submit(internal: GpuInternal, encode: (encoder: GPUCommandEncoder) => void): Promise<void> {
    assertDevice();
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    encode(encoder);
    device.queue.submit([encoder.finish()]);
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    const errors = await Promise.all([internal.pendingErrors, validation, memory]);
    internal.pendingErrors = Promise.resolve(null);
    const error = errors.find((e) => e !== null);
    if (error) throw new Error(`WebGPU kernels: ${error.message}`);
  }

  async function settled(): Promise<void> {
    try {
      await device.queue.onSubmittedWorkDone();
    } finally {
      assertDevice();
    }
  }

  /** Runs `task` after the state's earlier calls (successful or not). */
  function serialized<T>(internal: GpuInternal, task: () => Promise<T>): Promise<T> {
    const result = internal.chain.then(task, task);
    internal.chain = result.catch(() => undefined);
    return result;
  }

  async function readBack(internal: GpuInternal, bytes: number, copy: (encoder: GPUCommandEncoder, target: GPUBuffer) => void): Promise<Float32Array> {
    internal.readback = grow(internal, internal.readback, 'readback', bytes, MAP_READ | COPY_DST);
    const target = internal.readback.buffer;
    await submit(internal, (encoder) => copy(encoder, target));
    try {
      await target.mapAsync(MAP_MODE_READ, 0, Math.max(16, Math.ceil(bytes / 16) * 16));
    } catch (error) {
      assertDevice();
      throw error;
    }
    const out = new Float32Array(target.getMappedRange(0, Math.max(16, Math.ceil(bytes / 16) * 16)).slice(0, bytes));
    target.unmap();
    return out;
  }

  /**
   * Runs the forward pass over `rows` rows of x in chunks; after each chunk `perChunk` records what
   * is kept of the last layer's outputs (members × chunkRows × width in pre[last]).
   */
  async function forwardChunks(
    internal: GpuInternal,
    x: Float32Array,
    rows: number,
    perChunk: (encoder: GPUCommandEncoder, start: number, chunkRows: number, chunkIndex: number) => void,
  ): Promise<void> {
    const { shape } = internal;
    const chunk = Math.min(rows, maxChunkRows, predictChunkRows(shape, limits));
    ensureForwardRows(internal, chunk);
    internal.input = grow(internal, internal.input, 'input rows', chunk * shape.inputs * 4, STORAGE | COPY_DST);
    const chunks = Math.ceil(rows / chunk);
    writeRuns(internal, Array.from({ length: chunks }, (_, c) => ({
      rows: Math.min(chunk, rows - c * chunk), offset: c * chunk, learningRate: 0, weightDecay: 0, step: 0, targets: 0,
    })));
    const run = runGroup(internal);
    for (let c = 0; c < chunks; c++) {
      const start = c * chunk;
      const chunkRows = Math.min(chunk, rows - start);
      // Written in queue order: the previous chunk's commands have read the buffer by then.
      device.queue.writeBuffer(internal.input.buffer, 0, x, start * shape.inputs, chunkRows * shape.inputs);
      await submit(internal, (encoder) => {
        const pass = encoder.beginComputePass();
        encodeForward(pass, internal, 'shared', chunkRows, run, c);
        pass.end();
        perChunk(encoder, start, chunkRows, c);
      });
    }
  }

  function checkInputs(shape: MlpShape, x: Float32Array, rows: number): void {
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * shape.inputs) throw new RangeError('Inputs do not match rows × inputs');
  }

  return {
    name: 'webgpu',
    adapter,
    limits,
    matmul: form,
    bytesHeld: () => bytesHeld,

    createState(shape, params) {
      assertDevice();
      const layout = mlpLayout(shape);
      if (params.length !== layout.size) throw new RangeError(`Expected ${layout.size} parameters, got ${params.length}`);
      device.pushErrorScope('out-of-memory');
      const bytes = bufferBytes(layout.size);
      const make = (label: string, usage = 0) => createBuffer(label, bytes, STORAGE | COPY_SRC | COPY_DST | usage);
      const internal: GpuInternal = {
        shape,
        layout,
        params: make('params'),
        firstMoment: make('first moment'),
        secondMoment: make('second moment'),
        gradient: make('gradient'),
        decay: make('decay mask'),
        layerUniform: createBuffer('layers', layout.layers.length * RECORD_BYTES, UNIFORM | COPY_DST),
        step: 0,
        forwardRows: 0,
        deltaRows: 0,
        pre: [],
        post: [],
        delta: [],
        pool: null,
        indices: null,
        runs: null,
        input: null,
        summary: null,
        readback: null,
        bindGroups: new Map(),
        chain: Promise.resolve(),
        pendingErrors: Promise.resolve(null),
      };
      // Fresh buffers are zero-filled: the moments and gradient start at zero as they should.
      device.queue.writeBuffer(internal.params, 0, params);
      device.queue.writeBuffer(internal.decay, 0, decayMask(layout));
      device.queue.writeBuffer(internal.layerUniform, 0, layerRecords(shape, layout));
      internal.pendingErrors = device.popErrorScope();
      const state: MlpEnsembleState = { shape, kernels: 'webgpu' };
      internals.set(state, internal);
      return state;
    },

    trainStep(state, batchX, batchY, indices, learningRate, weightDecay) {
      const internal = internalOf(state);
      return serialized(internal, async () => {
        assertDevice();
        const { shape } = internal;
        const pool = ensurePool(internal, batchX, batchY);
        const batch = checkBatchIndices(indices, shape.members, pool.rows);
        checkTrainingFits(shape, batch, pool.rows, limits);
        ensureForwardRows(internal, batch);
        ensureDeltaRows(internal, batch);
        internal.indices = grow(internal, internal.indices, 'batch indices', indices.length * 4, STORAGE | COPY_DST);
        device.queue.writeBuffer(internal.indices.buffer, 0, indices);
        writeRuns(internal, [{ rows: batch, offset: 0, learningRate, weightDecay, step: internal.step + 1, targets: shape.targets }]);
        const run = runGroup(internal);
        await submit(internal, (encoder) => {
          const pass = encoder.beginComputePass();
          encodeTrainingStep(pass, internal, batch, run, 0);
          pass.end();
        });
        internal.step += 1;
        await settled();
      });
    },

    trainSteps(state, batchX, batchY, memberRows, batchSize, steps, seed, learningRate, weightDecay) {
      const internal = internalOf(state);
      return serialized(internal, async () => {
        assertDevice();
        const { shape } = internal;
        const n = memberRows.length / shape.members;
        if (!Number.isInteger(n) || n === 0) throw new RangeError('Member rows must be members × rows per member');
        if (!Number.isInteger(batchSize) || batchSize <= 0 || !Number.isInteger(steps) || steps < 0) {
          throw new RangeError('Batch size must be a positive integer and steps a non-negative one');
        }
        const pool = ensurePool(internal, batchX, batchY);
        checkBatchIndices(memberRows, shape.members, pool.rows);
        checkTrainingFits(shape, batchSize, pool.rows, limits);
        ensureForwardRows(internal, batchSize);
        ensureDeltaRows(internal, batchSize);
        const perStep = shape.members * batchSize;
        const batches = trainStepsBatchIndices(memberRows, shape.members, batchSize, steps, seed);
        for (let first = 0; first < steps; first += STEPS_PER_SUBMIT) {
          const count = Math.min(STEPS_PER_SUBMIT, steps - first);
          internal.indices = grow(internal, internal.indices, 'batch indices', STEPS_PER_SUBMIT * perStep * 4, STORAGE | COPY_DST);
          const indices = new Int32Array(count * perStep);
          for (let s = 0; s < count; s++) indices.set(batches[first + s], s * perStep);
          device.queue.writeBuffer(internal.indices.buffer, 0, indices);
          writeRuns(internal, Array.from({ length: count }, (_, s) => ({
            rows: batchSize, offset: s * perStep, learningRate, weightDecay, step: internal.step + s + 1, targets: shape.targets,
          })));
          const run = runGroup(internal);
          // Buffers above are rewritten in queue order, after the previous block's commands.
          await submit(internal, (encoder) => {
            const pass = encoder.beginComputePass();
            for (let s = 0; s < count; s++) encodeTrainingStep(pass, internal, batchSize, run, s);
            pass.end();
          });
          internal.step += count;
        }
        await settled();
      });
    },

    predict(state, x, rows) {
      const internal = internalOf(state);
      return serialized(internal, async () => {
        assertDevice();
        const { shape } = internal;
        checkInputs(shape, x, rows);
        const width = networkOutputs(shape);
        const count = shape.members * rows * width;
        if (rows === 0) return new Float32Array(0);
        internal.readback = grow(internal, internal.readback, 'readback', count * 4, MAP_READ | COPY_DST);
        const target = internal.readback.buffer;
        const last = internal.layout.layers.length - 1;
        await forwardChunks(internal, x, rows, (encoder, start, chunkRows) => {
          for (let k = 0; k < shape.members; k++) {
            encoder.copyBufferToBuffer(internal.pre[last], k * chunkRows * width * 4, target, (k * rows + start) * width * 4, chunkRows * width * 4);
          }
        });
        return readBack(internal, count * 4, () => undefined);
      });
    },

    predictSummary(state, x, rows) {
      const internal = internalOf(state);
      return serialized(internal, async () => {
        assertDevice();
        const { shape } = internal;
        checkInputs(shape, x, rows);
        const { targets } = shape;
        const values = rows * 3 * targets;
        const out: MemberSummary = { mean: new Float64Array(rows * targets), memberVariance: new Float64Array(rows * targets), noiseVariance: new Float64Array(rows * targets) };
        if (rows === 0) return out;
        internal.summary = grow(internal, internal.summary, 'summary', values * 4, STORAGE | COPY_SRC);
        const last = internal.layout.layers.length - 1;
        const pipeline = summary(shape);
        await forwardChunks(internal, x, rows, (encoder, _start, chunkRows, c) => {
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline.pipeline);
          pass.setBindGroup(0, bindGroup(internal, 'summary', pipeline, [layerResource(internal, last), whole(internal.pre[last]), whole(internal.summary!.buffer)]));
          pass.setBindGroup(1, runGroup(internal), [c * RECORD_BYTES]);
          pass.dispatchWorkgroups(Math.ceil(chunkRows / ROW_GROUP));
          pass.end();
        });
        const flat = await readBack(internal, values * 4, (encoder, target) => encoder.copyBufferToBuffer(internal.summary!.buffer, 0, target, 0, values * 4));
        for (let r = 0; r < rows; r++) {
          for (let t = 0; t < targets; t++) {
            out.mean[r * targets + t] = flat[(r * 3) * targets + t];
            out.memberVariance[r * targets + t] = flat[(r * 3 + 1) * targets + t];
            out.noiseVariance[r * targets + t] = flat[(r * 3 + 2) * targets + t];
          }
        }
        return out;
      });
    },

    snapshot(state) {
      const internal = internalOf(state);
      return serialized(internal, async () => {
        const bytes = internal.layout.size * 4;
        const flat = await readBack(internal, 3 * bytes, (encoder, target) => {
          encoder.copyBufferToBuffer(internal.params, 0, target, 0, bytes);
          encoder.copyBufferToBuffer(internal.firstMoment, 0, target, bytes, bytes);
          encoder.copyBufferToBuffer(internal.secondMoment, 0, target, 2 * bytes, bytes);
        });
        const size = internal.layout.size;
        return {
          params: flat.slice(0, size),
          firstMoment: flat.slice(size, 2 * size),
          secondMoment: flat.slice(2 * size, 3 * size),
          step: internal.step,
        };
      });
    },

    writeParams(state, params) {
      assertDevice();
      const internal = internalOf(state);
      if (params.length !== internal.layout.size) throw new RangeError('Parameter count does not match the ensemble shape');
      device.queue.writeBuffer(internal.params, 0, params);
    },

    dispose(state) {
      const internal = internalOf(state);
      internals.delete(state);
      void internal.chain.then(() => {
        const buffers = [
          internal.params, internal.firstMoment, internal.secondMoment, internal.gradient, internal.decay, internal.layerUniform,
          ...internal.pre, ...internal.post, ...internal.delta,
          internal.pool?.xBuffer, internal.pool?.yBuffer,
          internal.indices?.buffer, internal.runs?.buffer, internal.input?.buffer, internal.summary?.buffer, internal.readback?.buffer,
        ];
        for (const buffer of buffers) if (buffer) release(buffer);
        internal.bindGroups.clear();
      });
    },

    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
}
