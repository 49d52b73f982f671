// The MLP-ensemble kernels on TensorFlow.js: every layer of all members is one 3-D tensor
// (members × fanIn × fanOut), so forward, backward and AdamW of the whole ensemble are a handful of
// batched matrix products per layer, whatever the member count. The backward pass is written out
// (not tf.grad) so that it is the same arithmetic as the reference and makes no gradient tape.
// The caller chooses the backend (tf.setBackend); nothing here depends on which one.
import * as tf from '@tensorflow/tfjs-core';
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_EPSILON,
  MIN_VARIANCE,
  type MlpEnsembleKernels,
  type MlpEnsembleState,
  type MlpLayout,
  type MlpShape,
  type MlpSnapshot,
  mlpLayout,
  networkOutputs,
} from '../mlp-reference.ts';

/** Rows per inference chunk: bounds the device memory of members × rows × widest layer. */
const PREDICT_CHUNK_ROWS = 4096;

interface LayerTensors {
  /** members × fanIn × fanOut. */
  weights: tf.Tensor;
  /** members × 1 × fanOut, broadcast over the rows of a batch. */
  biases: tf.Tensor;
}

interface PoolCache {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly xTensor: tf.Tensor;
  readonly yTensor: tf.Tensor;
}

interface TfInternal {
  readonly layout: MlpLayout;
  params: LayerTensors[];
  firstMoment: LayerTensors[];
  secondMoment: LayerTensors[];
  step: number;
  pool: PoolCache | null;
}

const internals = new WeakMap<MlpEnsembleState, TfInternal>();

function internalOf(state: MlpEnsembleState): TfInternal {
  const internal = internals.get(state);
  if (!internal) throw new RangeError('This MLP state was not made by the TensorFlow.js kernels, or was disposed');
  return internal;
}

function layersFromFlat(shape: MlpShape, layout: MlpLayout, flat: Float32Array): LayerTensors[] {
  return layout.layers.map(({ fanIn, fanOut, weightOffset, biasOffset }) => ({
    weights: tf.tensor3d(flat.slice(weightOffset, weightOffset + shape.members * fanIn * fanOut), [shape.members, fanIn, fanOut]),
    biases: tf.tensor3d(flat.slice(biasOffset, biasOffset + shape.members * fanOut), [shape.members, 1, fanOut]),
  }));
}

function zerosLike(layers: readonly LayerTensors[]): LayerTensors[] {
  return layers.map(({ weights, biases }) => ({ weights: tf.zerosLike(weights), biases: tf.zerosLike(biases) }));
}

function flatFromLayers(layout: MlpLayout, layers: readonly LayerTensors[]): Float32Array {
  const flat = new Float32Array(layout.size);
  layout.layers.forEach(({ weightOffset, biasOffset }, l) => {
    flat.set(layers[l].weights.dataSync(), weightOffset);
    flat.set(layers[l].biases.dataSync(), biasOffset);
  });
  return flat;
}

function disposeLayers(layers: readonly LayerTensors[]): void {
  for (const { weights, biases } of layers) {
    weights.dispose();
    biases.dispose();
  }
}

function activate(shape: MlpShape, z: tf.Tensor): tf.Tensor {
  return shape.activation === 'relu' ? tf.relu(z) : tf.mul(z, tf.sigmoid(z));
}

/** d activation / dz, as the reference: SiLU σ(z)(1 + z(1 − σ(z))); ReLU 1 for z > 0, else 0. */
function activationSlope(shape: MlpShape, z: tf.Tensor): tf.Tensor {
  if (shape.activation === 'relu') return tf.cast(tf.greater(z, 0), 'float32');
  const s = tf.sigmoid(z);
  return tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))));
}

/** Pre-activations of every layer for input a (members or 1 × rows × inputs); the last is the output. */
function forward(shape: MlpShape, params: readonly LayerTensors[], input: tf.Tensor): tf.Tensor[] {
  const pre: tf.Tensor[] = [];
  let a = input;
  params.forEach(({ weights, biases }, l) => {
    const z = tf.add(tf.matMul(a, weights), biases);
    pre.push(z);
    if (l + 1 < params.length) a = activate(shape, z);
  });
  return pre;
}

/** dLoss/d(output) of a loss that is a mean over batch rows and targets. */
function outputDelta(shape: MlpShape, out: tf.Tensor, y: tf.Tensor, batch: number): tf.Tensor {
  const { members, targets } = shape;
  const scale = 1 / (batch * targets);
  if (shape.loss === 'mse') return tf.mul(tf.sub(out, y), 2 * scale);
  const mu = tf.slice(out, [0, 0, 0], [members, batch, targets]);
  const raw = tf.slice(out, [0, 0, targets], [members, batch, targets]);
  const variance = tf.add(tf.softplus(raw), MIN_VARIANCE);
  const residual = tf.sub(mu, y);
  const dMu = tf.mul(tf.div(residual, variance), scale);
  const dVariance = tf.mul(tf.sub(tf.div(1, variance), tf.div(tf.square(residual), tf.square(variance))), 0.5);
  const dRaw = tf.mul(tf.mul(dVariance, tf.sigmoid(raw)), scale);
  return tf.concat([dMu, dRaw], 2);
}

function adamW(
  param: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  gradient: tf.Tensor,
  learningRate: number,
  weightDecay: number,
  correction1: number,
  correction2: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const m1 = tf.add(tf.mul(m, ADAM_BETA1), tf.mul(gradient, 1 - ADAM_BETA1));
  const v1 = tf.add(tf.mul(v, ADAM_BETA2), tf.mul(tf.square(gradient), 1 - ADAM_BETA2));
  let update = tf.div(tf.div(m1, correction1), tf.add(tf.sqrt(tf.div(v1, correction2)), ADAM_EPSILON));
  if (weightDecay !== 0) update = tf.add(update, tf.mul(param, weightDecay));
  return [tf.sub(param, tf.mul(update, learningRate)), m1, v1];
}

function ensurePool(internal: TfInternal, shape: MlpShape, x: Float32Array, y: Float32Array): PoolCache {
  if (internal.pool && internal.pool.x === x && internal.pool.y === y) return internal.pool;
  const rows = x.length / shape.inputs;
  if (!Number.isInteger(rows) || y.length !== rows * shape.targets) throw new RangeError('Batch pool shapes disagree');
  if (internal.pool) {
    internal.pool.xTensor.dispose();
    internal.pool.yTensor.dispose();
  }
  internal.pool = { x, y, xTensor: tf.tensor2d(x, [rows, shape.inputs]), yTensor: tf.tensor2d(y, [rows, shape.targets]) };
  return internal.pool;
}

export const tfjsMlpKernels: MlpEnsembleKernels = {
  name: 'tfjs',

  createState(shape, params) {
    const layout = mlpLayout(shape);
    if (params.length !== layout.size) throw new RangeError(`Expected ${layout.size} parameters, got ${params.length}`);
    const layers = layersFromFlat(shape, layout, params);
    const state: MlpEnsembleState = { shape, kernels: 'tfjs' };
    internals.set(state, { layout, params: layers, firstMoment: zerosLike(layers), secondMoment: zerosLike(layers), step: 0, pool: null });
    return state;
  },

  trainStep(state, batchX, batchY, indices, learningRate, weightDecay) {
    const internal = internalOf(state);
    const { shape } = state;
    const { members, inputs, targets } = shape;
    if (indices.length === 0 || indices.length % members !== 0) throw new RangeError('Batch indices must be members × batch size');
    const batch = indices.length / members;
    const pool = ensurePool(internal, shape, batchX, batchY);
    const poolRows = pool.xTensor.shape[0];
    for (let q = 0; q < indices.length; q++) {
      if (!(indices[q] >= 0 && indices[q] < poolRows)) throw new RangeError('Batch index outside the pool');
    }
    const step = internal.step + 1;
    const correction1 = 1 - ADAM_BETA1 ** step;
    const correction2 = 1 - ADAM_BETA2 ** step;
    const { params, firstMoment, secondMoment } = internal;

    const next = tf.tidy(() => {
      const rows = tf.tensor1d(indices, 'int32');
      const x = tf.reshape(tf.gather(pool.xTensor, rows), [members, batch, inputs]);
      const y = tf.reshape(tf.gather(pool.yTensor, rows), [members, batch, targets]);
      const pre = forward(shape, params, x);
      const last = params.length - 1;
      let delta = outputDelta(shape, pre[last], y, batch);
      const result: { params: LayerTensors; m: LayerTensors; v: LayerTensors }[] = new Array(params.length);
      for (let l = last; l >= 0; l--) {
        const input = l === 0 ? x : activate(shape, pre[l - 1]);
        const gradWeights = tf.matMul(input, delta, true, false);
        const gradBiases = tf.sum(delta, 1, true);
        if (l > 0) delta = tf.mul(tf.matMul(delta, params[l].weights, false, true), activationSlope(shape, pre[l - 1]));
        const [w, mw, vw] = adamW(params[l].weights, firstMoment[l].weights, secondMoment[l].weights, gradWeights, learningRate, weightDecay, correction1, correction2);
        const [b, mb, vb] = adamW(params[l].biases, firstMoment[l].biases, secondMoment[l].biases, gradBiases, learningRate, 0, correction1, correction2);
        result[l] = { params: { weights: w, biases: b }, m: { weights: mw, biases: mb }, v: { weights: vw, biases: vb } };
      }
      return result.flatMap((r) => [r.params.weights, r.params.biases, r.m.weights, r.m.biases, r.v.weights, r.v.biases]);
    });

    disposeLayers(params);
    disposeLayers(firstMoment);
    disposeLayers(secondMoment);
    const layersOf = (k: number) =>
      params.map((_, l) => ({ weights: next[6 * l + 2 * k], biases: next[6 * l + 2 * k + 1] }));
    internal.params = layersOf(0);
    internal.firstMoment = layersOf(1);
    internal.secondMoment = layersOf(2);
    internal.step = step;
  },

  predict(state, x, rows) {
    const { params } = internalOf(state);
    const { shape } = state;
    if (x.length !== rows * shape.inputs) throw new RangeError('Inputs do not match rows × inputs');
    const width = networkOutputs(shape);
    const out = new Float32Array(shape.members * rows * width);
    for (let start = 0; start < rows; start += PREDICT_CHUNK_ROWS) {
      const count = Math.min(PREDICT_CHUNK_ROWS, rows - start);
      const chunk = tf.tidy(() => {
        // One copy of the inputs, broadcast over the members' batch dimension.
        const input = tf.tensor3d(x.subarray(start * shape.inputs, (start + count) * shape.inputs), [1, count, shape.inputs]);
        const pre = forward(shape, params, input);
        return pre[pre.length - 1];
      });
      const values = chunk.dataSync();
      chunk.dispose();
      for (let k = 0; k < shape.members; k++) {
        out.set(values.subarray(k * count * width, (k + 1) * count * width), (k * rows + start) * width);
      }
    }
    return out;
  },

  snapshot(state): MlpSnapshot {
    const internal = internalOf(state);
    return {
      params: flatFromLayers(internal.layout, internal.params),
      firstMoment: flatFromLayers(internal.layout, internal.firstMoment),
      secondMoment: flatFromLayers(internal.layout, internal.secondMoment),
      step: internal.step,
    };
  },

  writeParams(state, params) {
    const internal = internalOf(state);
    if (params.length !== internal.layout.size) throw new RangeError('Parameter count does not match the ensemble shape');
    disposeLayers(internal.params);
    internal.params = layersFromFlat(state.shape, internal.layout, params);
  },

  dispose(state) {
    const internal = internals.get(state);
    if (!internal) return;
    disposeLayers(internal.params);
    disposeLayers(internal.firstMoment);
    disposeLayers(internal.secondMoment);
    if (internal.pool) {
      internal.pool.xTensor.dispose();
      internal.pool.yTensor.dispose();
    }
    internals.delete(state);
  },
};
