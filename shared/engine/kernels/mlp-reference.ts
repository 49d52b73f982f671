// The kernel interface for training and running an ensemble of small multilayer perceptrons, and
// its plain-TypeScript reference implementation: slow, obviously correct, the yardstick that the
// TensorFlow.js and (later) fused wasm implementations are tested against one step at a time.
//
// Every member has the same shape (inputs → hidden × L → outputs) and all members' parameters
// live in one flat Float32Array, layer-major so that each layer is one [members][fanIn][fanOut]
// block, the layout a batched matrix product (batch dimension = members) reads without copying:
//   W₀ (members × inputs × h₀), b₀ (members × h₀), W₁ (members × h₀ × h₁), b₁, …, W_L, b_L.
// Weights are stored [fanIn][fanOut] (row-major), so a layer is z = a·W + b for a row vector a.

export type MlpActivation = 'silu' | 'relu';

/**
 * 'mse': mean over batch rows and outputs of (ŷ − y)².
 * 'gaussian-nll': the network has 2 × targets outputs, means then raw variances; the variance is
 * softplus(raw) + MIN_VARIANCE and the loss is the mean over rows and targets of
 * ½ log σ² + ½ (y − μ)² / σ² (Lakshminarayanan, Pritzel & Blundell 2017).
 */
export type MlpLoss = 'mse' | 'gaussian-nll';

export interface MlpShape {
  readonly members: number;
  readonly inputs: number;
  /** Widths of the hidden layers, at least one. */
  readonly hidden: readonly number[];
  /** Targets per row; the network has twice as many outputs with the 'gaussian-nll' loss. */
  readonly targets: number;
  readonly activation: MlpActivation;
  readonly loss: MlpLoss;
}

/** AdamW (Loshchilov & Hutter 2019) constants; the usual Adam defaults (Kingma & Ba 2015). */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;
/** Floor of the predicted variance (standardized units), so the NLL cannot run off to −∞. */
export const MIN_VARIANCE = 1e-6;

/**
 * Opaque handle to one ensemble's parameters and optimizer state, made by a kernel set's
 * createState and only valid with that kernel set. Release it with dispose.
 */
export interface MlpEnsembleState {
  readonly shape: MlpShape;
  readonly kernels: string;
}

export interface MlpSnapshot {
  readonly params: Float32Array;
  /** AdamW first and second moments, same layout as params. */
  readonly firstMoment: Float32Array;
  readonly secondMoment: Float32Array;
  /** AdamW steps taken so far (for bias correction). */
  readonly step: number;
}

export interface MlpWorkHint {
  /** Rows a training block or prediction will typically process per member. */
  readonly rows?: number;
}

export interface MlpEnsembleKernels {
  /** Which implementation this is, shown to users and recorded with results. */
  readonly name: string;
  /**
   * A fresh state with these parameters (copied) and zero optimizer moments. The hint says how
   * many rows a call will typically see (kernels may use it to place the work).
   */
  createState(shape: MlpShape, params: Float32Array, hint?: MlpWorkHint): MlpEnsembleState;
  /**
   * One forward pass, backward pass and AdamW update of every member at once.
   * batchX (rows × inputs) and batchY (rows × targets) are the pool the indices point into:
   * member k trains on rows perMemberBatchIndices[k·B … k·B + B − 1], B = indices / members.
   * Implementations may keep a device copy of the pool keyed on the array objects, so pass the
   * same arrays, unchanged, for a whole run (a different array object is copied afresh).
   * The weight decay is decoupled (θ ← θ − lr·(adam + λθ)) and applies to weights, not biases.
   */
  trainStep(
    state: MlpEnsembleState,
    batchX: Float32Array,
    batchY: Float32Array,
    perMemberBatchIndices: Int32Array,
    learningRate: number,
    weightDecay: number,
  ): void;
  /** Raw network outputs of every member: members × rows × networkOutputs(shape), row-major. */
  predict(state: MlpEnsembleState, x: Float32Array, rows: number): Float32Array;
  /**
   * The members' mean, spread and noise on `rows` rows (summarizeMembers of predict's outputs),
   * computed where the outputs are, so that only rows × targets numbers come back. Optional:
   * callers summarize predict's outputs themselves where it is missing.
   */
  predictSummary?(state: MlpEnsembleState, x: Float32Array, rows: number): MemberSummary;
  /** Copies of the parameters and optimizer state. */
  snapshot(state: MlpEnsembleState): MlpSnapshot;
  /** Replaces the parameters (e.g. to restore the best epoch); the optimizer moments stay. */
  writeParams(state: MlpEnsembleState, params: Float32Array): void;
  /** Frees what the state holds (device memory); the handle is unusable afterwards. */
  dispose(state: MlpEnsembleState): void;
}

export interface MlpLayerLayout {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Start of this layer's members × fanIn × fanOut weights in the flat parameter array. */
  readonly weightOffset: number;
  /** Start of this layer's members × fanOut biases. */
  readonly biasOffset: number;
}

export interface MlpLayout {
  readonly layers: readonly MlpLayerLayout[];
  readonly paramsPerMember: number;
  readonly size: number;
}

export function networkOutputs(shape: MlpShape): number {
  return shape.loss === 'gaussian-nll' ? 2 * shape.targets : shape.targets;
}

export function validateShape(shape: MlpShape): void {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (!positive(shape.members) || !positive(shape.inputs) || !positive(shape.targets)) {
    throw new RangeError('An MLP ensemble needs positive integer members, inputs and targets');
  }
  if (shape.hidden.length === 0 || !shape.hidden.every(positive)) {
    throw new RangeError('An MLP needs at least one hidden layer of positive integer width');
  }
}

export function mlpLayout(shape: MlpShape): MlpLayout {
  validateShape(shape);
  const widths = [shape.inputs, ...shape.hidden, networkOutputs(shape)];
  const layers: MlpLayerLayout[] = [];
  let offset = 0;
  let perMember = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const fanOut = widths[l + 1];
    const weightOffset = offset;
    offset += shape.members * fanIn * fanOut;
    layers.push({ fanIn, fanOut, weightOffset, biasOffset: offset });
    offset += shape.members * fanOut;
    perMember += fanIn * fanOut + fanOut;
  }
  return { layers, paramsPerMember: perMember, size: offset };
}

/** Copies member `from` of `source` into member `to` of `target` (both with this layout). */
export function copyMemberParams(layout: MlpLayout, source: Float32Array, target: Float32Array, from: number, to = from): void {
  for (const { fanIn, fanOut, weightOffset, biasOffset } of layout.layers) {
    const w = fanIn * fanOut;
    target.set(source.subarray(weightOffset + from * w, weightOffset + (from + 1) * w), weightOffset + to * w);
    target.set(source.subarray(biasOffset + from * fanOut, biasOffset + (from + 1) * fanOut), biasOffset + to * fanOut);
  }
}

export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The predicted variance from a raw variance output of the 'gaussian-nll' head. */
export function headVariance(raw: number): number {
  return softplus(raw) + MIN_VARIANCE;
}

export interface MemberSummary {
  /** rows × targets: mean over members of the predicted means. */
  readonly mean: Float64Array;
  /** rows × targets: variance of the members' means (model uncertainty). */
  readonly memberVariance: Float64Array;
  /** rows × targets: mean of the members' predicted noise variances (0 with the 'mse' loss). */
  readonly noiseVariance: Float64Array;
}

/**
 * Mean and spread across members of predict's raw outputs. With the Gaussian head, the ensemble is
 * the uniform mixture of the members' Gaussians, whose variance is memberVariance + noiseVariance.
 */
export function summarizeMembers(shape: MlpShape, outputs: Float32Array, rows: number): MemberSummary {
  const { members, targets } = shape;
  const width = networkOutputs(shape);
  if (outputs.length !== members * rows * width) throw new RangeError('Outputs do not match the ensemble shape');
  const mean = new Float64Array(rows * targets);
  const memberVariance = new Float64Array(rows * targets);
  const noiseVariance = new Float64Array(rows * targets);
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < targets; t++) {
      let sum = 0;
      let noise = 0;
      for (let k = 0; k < members; k++) {
        const at = (k * rows + i) * width;
        sum += outputs[at + t];
        if (shape.loss === 'gaussian-nll') noise += headVariance(outputs[at + targets + t]);
      }
      const m = sum / members;
      let spread = 0;
      for (let k = 0; k < members; k++) spread += (outputs[(k * rows + i) * width + t] - m) ** 2;
      mean[i * targets + t] = m;
      memberVariance[i * targets + t] = spread / members;
      noiseVariance[i * targets + t] = noise / members;
    }
  }
  return { mean, memberVariance, noiseVariance };
}

/**
 * Per-member mean loss (the training loss, as trainStep minimizes it) of raw outputs
 * (members × rows × networkOutputs) against targets y (rows × targets), over the rows listed.
 */
export function memberLosses(shape: MlpShape, outputs: Float32Array, rows: number, y: ArrayLike<number>, rowsOf: (member: number) => ArrayLike<number>): Float64Array {
  const { members, targets } = shape;
  const width = networkOutputs(shape);
  const losses = new Float64Array(members);
  for (let k = 0; k < members; k++) {
    const list = rowsOf(k);
    let sum = 0;
    for (let r = 0; r < list.length; r++) {
      const i = list[r];
      const at = (k * rows + i) * width;
      for (let t = 0; t < targets; t++) {
        const raw = shape.loss === 'gaussian-nll' ? outputs[at + targets + t] : 0;
        sum += pointLoss(shape.loss, outputs[at + t], raw, y[i * targets + t]);
      }
    }
    losses[k] = list.length > 0 ? sum / (list.length * targets) : NaN;
  }
  return losses;
}

function pointLoss(loss: MlpLoss, mu: number, raw: number, y: number): number {
  const r = mu - y;
  if (loss === 'mse') return r * r;
  const variance = headVariance(raw);
  return 0.5 * Math.log(variance) + (0.5 * r * r) / variance;
}

interface ReferenceInternal {
  readonly layout: MlpLayout;
  readonly params: Float32Array;
  readonly firstMoment: Float32Array;
  readonly secondMoment: Float32Array;
  step: number;
}

const internals = new WeakMap<MlpEnsembleState, ReferenceInternal>();

function internalOf(state: MlpEnsembleState): ReferenceInternal {
  const internal = internals.get(state);
  if (!internal) throw new RangeError('This MLP state was not made by the reference kernels, or was disposed');
  return internal;
}

function activate(activation: MlpActivation, z: number): number {
  if (activation === 'relu') return z > 0 ? z : 0;
  return z * sigmoid(z);
}

/** d activation / dz. SiLU: σ(z)(1 + z(1 − σ(z))). ReLU: 1 for z > 0, else 0 (as TensorFlow.js). */
function activationSlope(activation: MlpActivation, z: number): number {
  if (activation === 'relu') return z > 0 ? 1 : 0;
  const s = sigmoid(z);
  return s * (1 + z * (1 - s));
}

/**
 * Forward pass of one member over `rows` rows of x (row-major rows × inputs). Returns the
 * pre-activations of every layer (rows × fanOut each, float32 as the hardware kernels store them);
 * the last one is the network output.
 */
function forwardMember(shape: MlpShape, layout: MlpLayout, params: Float32Array, member: number, x: Float32Array, rows: number): Float32Array[] {
  const pre: Float32Array[] = [];
  let input = x;
  const acc = new Float64Array(Math.max(...layout.layers.map((l) => l.fanOut)));
  layout.layers.forEach(({ fanIn, fanOut, weightOffset, biasOffset }, l) => {
    const w = weightOffset + member * fanIn * fanOut;
    const b = biasOffset + member * fanOut;
    const z = new Float32Array(rows * fanOut);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < fanOut; j++) acc[j] = params[b + j];
      for (let p = 0; p < fanIn; p++) {
        const a = input[i * fanIn + p];
        const row = w + p * fanOut;
        for (let j = 0; j < fanOut; j++) acc[j] += a * params[row + j];
      }
      for (let j = 0; j < fanOut; j++) z[i * fanOut + j] = acc[j];
    }
    pre.push(z);
    if (l + 1 < layout.layers.length) {
      const a = new Float32Array(z.length);
      for (let k = 0; k < z.length; k++) a[k] = activate(shape.activation, z[k]);
      input = a;
    }
  });
  return pre;
}

function createReferenceState(shape: MlpShape, params: Float32Array): MlpEnsembleState {
  const layout = mlpLayout(shape);
  if (params.length !== layout.size) throw new RangeError(`Expected ${layout.size} parameters, got ${params.length}`);
  const state: MlpEnsembleState = { shape, kernels: 'reference' };
  internals.set(state, {
    layout,
    params: Float32Array.from(params),
    firstMoment: new Float32Array(layout.size),
    secondMoment: new Float32Array(layout.size),
    step: 0,
  });
  return state;
}

function referenceTrainStep(
  state: MlpEnsembleState,
  batchX: Float32Array,
  batchY: Float32Array,
  indices: Int32Array,
  learningRate: number,
  weightDecay: number,
): void {
  const internal = internalOf(state);
  const { shape } = state;
  const { layout, params } = internal;
  const { members, inputs, targets } = shape;
  if (indices.length === 0 || indices.length % members !== 0) throw new RangeError('Batch indices must be members × batch size');
  const batch = indices.length / members;
  const poolRows = batchX.length / inputs;
  if (!Number.isInteger(poolRows) || batchY.length !== poolRows * targets) throw new RangeError('Batch pool shapes disagree');
  const gradient = new Float64Array(layout.size);
  const width = networkOutputs(shape);
  const x = new Float32Array(batch * inputs);
  const y = new Float32Array(batch * targets);
  const last = layout.layers.length - 1;

  for (let k = 0; k < members; k++) {
    for (let r = 0; r < batch; r++) {
      const i = indices[k * batch + r];
      if (!(i >= 0 && i < poolRows)) throw new RangeError('Batch index outside the pool');
      x.set(batchX.subarray(i * inputs, (i + 1) * inputs), r * inputs);
      y.set(batchY.subarray(i * targets, (i + 1) * targets), r * targets);
    }
    const pre = forwardMember(shape, layout, params, k, x, batch);

    // dLoss/dz of the output layer; the loss is a mean over batch rows and targets.
    const scale = 1 / (batch * targets);
    let delta = new Float64Array(batch * width);
    const out = pre[last];
    for (let r = 0; r < batch; r++) {
      for (let t = 0; t < targets; t++) {
        const residual = out[r * width + t] - y[r * targets + t];
        if (shape.loss === 'mse') {
          delta[r * width + t] = 2 * residual * scale;
        } else {
          const raw = out[r * width + targets + t];
          const variance = headVariance(raw);
          delta[r * width + t] = (residual / variance) * scale;
          const dVariance = 0.5 * (1 / variance - (residual * residual) / (variance * variance));
          delta[r * width + targets + t] = dVariance * sigmoid(raw) * scale;
        }
      }
    }

    for (let l = last; l >= 0; l--) {
      const { fanIn, fanOut, weightOffset, biasOffset } = layout.layers[l];
      const w = weightOffset + k * fanIn * fanOut;
      const b = biasOffset + k * fanOut;
      let input: Float32Array;
      if (l === 0) {
        input = x;
      } else {
        input = new Float32Array(pre[l - 1].length);
        for (let q = 0; q < input.length; q++) input[q] = activate(shape.activation, pre[l - 1][q]);
      }
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < fanOut; j++) gradient[b + j] += delta[r * fanOut + j];
        for (let p = 0; p < fanIn; p++) {
          const a = input[r * fanIn + p];
          const row = w + p * fanOut;
          for (let j = 0; j < fanOut; j++) gradient[row + j] += a * delta[r * fanOut + j];
        }
      }
      if (l > 0) {
        const below = new Float64Array(batch * fanIn);
        for (let r = 0; r < batch; r++) {
          for (let p = 0; p < fanIn; p++) {
            const row = w + p * fanOut;
            let s = 0;
            for (let j = 0; j < fanOut; j++) s += params[row + j] * delta[r * fanOut + j];
            below[r * fanIn + p] = s * activationSlope(shape.activation, pre[l - 1][r * fanIn + p]);
          }
        }
        delta = below;
      }
    }
  }

  internal.step += 1;
  const correction1 = 1 - ADAM_BETA1 ** internal.step;
  const correction2 = 1 - ADAM_BETA2 ** internal.step;
  const { firstMoment: m, secondMoment: v } = internal;
  for (const { fanIn, fanOut, weightOffset, biasOffset } of layout.layers) {
    const weights = members * fanIn * fanOut;
    adamW(params, m, v, gradient, weightOffset, weights, learningRate, weightDecay, correction1, correction2);
    adamW(params, m, v, gradient, biasOffset, members * fanOut, learningRate, 0, correction1, correction2);
  }
}

function adamW(
  params: Float32Array,
  m: Float32Array,
  v: Float32Array,
  gradient: Float64Array,
  from: number,
  count: number,
  learningRate: number,
  weightDecay: number,
  correction1: number,
  correction2: number,
): void {
  for (let q = from; q < from + count; q++) {
    const g = gradient[q];
    const mq = ADAM_BETA1 * m[q] + (1 - ADAM_BETA1) * g;
    const vq = ADAM_BETA2 * v[q] + (1 - ADAM_BETA2) * g * g;
    m[q] = mq;
    v[q] = vq;
    const update = mq / correction1 / (Math.sqrt(vq / correction2) + ADAM_EPSILON);
    params[q] = params[q] - learningRate * (update + weightDecay * params[q]);
  }
}

export const referenceMlpKernels: MlpEnsembleKernels = {
  name: 'reference',
  createState: createReferenceState,
  trainStep: referenceTrainStep,
  predict(state, x, rows) {
    const { params, layout } = internalOf(state);
    const { shape } = state;
    if (x.length !== rows * shape.inputs) throw new RangeError('Inputs do not match rows × inputs');
    const width = networkOutputs(shape);
    const out = new Float32Array(shape.members * rows * width);
    for (let k = 0; k < shape.members; k++) {
      const pre = forwardMember(shape, layout, params, k, x, rows);
      out.set(pre[pre.length - 1], k * rows * width);
    }
    return out;
  },
  snapshot(state) {
    const internal = internalOf(state);
    return {
      params: Float32Array.from(internal.params),
      firstMoment: Float32Array.from(internal.firstMoment),
      secondMoment: Float32Array.from(internal.secondMoment),
      step: internal.step,
    };
  },
  writeParams(state, params) {
    const internal = internalOf(state);
    if (params.length !== internal.layout.size) throw new RangeError('Parameter count does not match the ensemble shape');
    internal.params.set(params);
  },
  dispose(state) {
    internals.delete(state);
  },
};
