// WGSL sources of the WebGPU MLP-ensemble kernels, generated per variant (activation, loss, where a
// layer's input comes from). Every dispatch covers all members at once: the member is the z index
// of the workgroup grid. A training step is, per layer l of L + 1 (L hidden):
//   forward l        Z_l = A_{l−1}·W_l + b_l, A_l = act(Z_l)          (tiled matmul)
//   output delta     Δ_L = dLoss/dZ_L                                  (per row)
//   weight gradient  [dW_l; db_l] = [A_{l−1} 1]ᵀ·Δ_l                  (tiled matmul, reduction over rows)
//   delta below      Δ_{l−1} = (Δ_l·W_lᵀ) ⊙ act′(Z_{l−1})             (tiled matmul)
//   AdamW            over the flat parameter array
// Group 0 holds the variant's buffers; group 1 the Run record (rows, offsets, learning rate, bias
// corrections), bound with a dynamic offset so that many steps or chunks share one command buffer.
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_EPSILON,
  MIN_VARIANCE,
  type MlpActivation,
  type MlpLoss,
} from '../mlp-reference.ts';

/** How a group-0 binding is declared: a uniform record, a read-only or a read-write storage array. */
export type BindingKind = 'uniform' | 'read' | 'write';

export interface KernelSource {
  readonly code: string;
  /** Group-0 bindings 0, 1, … in order. */
  readonly bindings: readonly BindingKind[];
}

/**
 * Where a layer's input rows come from: 'gather' — the training pool, rows picked by the step's
 * indices (layer 0 of a training step); 'shared' — one input matrix for all members (layer 0 of
 * inference); 'member' — the previous layer's activations, members × rows × fanIn.
 */
export type InputMode = 'gather' | 'shared' | 'member';

export const TILE = 16;
export const ROW_GROUP = 64;
export const ADAM_GROUP = 256;

/** A float32 WGSL literal of a double, rounded as the host would round it. */
function f32(value: number): string {
  return `${Math.fround(value)}f`;
}

const PRELUDE = /* wgsl */ `
struct Layer {
  fanIn: u32,
  fanOut: u32,
  weightOffset: u32,
  biasOffset: u32,
  targets: u32,
  members: u32,
  index: u32,
  last: u32,
}

struct Run {
  rows: u32,
  offset: u32,
  learningRate: f32,
  weightDecay: f32,
  correction1: f32,
  correction2: f32,
  lossScale: f32,
  unused: u32,
}

@group(1) @binding(0) var<uniform> run: Run;

const LOG2E = 1.4426950408889634f;
const LN2_HI = 0.693359375f;
const LN2_LO = -2.12194440e-4f;

// exp with Cody–Waite range reduction and the Cephes expf polynomial, about 1 ulp everywhere.
// WGSL's own exp may be exp2(x·log2 e), whose error grows with |x| (the spec allows 3 + 2|x| ulp),
// too much for agreement with the reference at 1e-5 once pre-activations reach ±20.
// Below −87 the result is held at e⁻⁸⁷ so that it stays a normal float (GPUs flush subnormals).
fn expAccurate(x: f32) -> f32 {
  let clamped = clamp(x, -87.0f, 88.0f);
  let n = round(clamped * LOG2E);
  let r = clamped - n * LN2_HI - n * LN2_LO;
  let p = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
    + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r * r + r + 1.0f;
  return ldexp(p, i32(n));
}

fn sigmoid(z: f32) -> f32 {
  let e = expAccurate(-abs(z));
  let s = 1.0f / (1.0f + e);
  return select(e * s, s, z >= 0.0f);
}

// log(1 + u) for 0 ≤ u ≤ 1 as 2·atanh(u / (2 + u)); WGSL has no log1p, and log(1 + u) loses
// the digits of a small u in the rounding of 1 + u. The series in s² ≤ 1/9 converges to 1e-9 by s¹⁵.
fn log1pUnit(u: f32) -> f32 {
  let s = u / (2.0f + u);
  let s2 = s * s;
  return 2.0f * s * (1.0f + s2 * (1.0f / 3.0f + s2 * (0.2f + s2 * (1.0f / 7.0f + s2 * (1.0f / 9.0f
    + s2 * (1.0f / 11.0f + s2 * (1.0f / 13.0f + s2 / 15.0f)))))));
}

fn softplus(z: f32) -> f32 {
  return max(z, 0.0f) + log1pUnit(expAccurate(-abs(z)));
}
`;

function activationCode(activation: MlpActivation): string {
  if (activation === 'relu') {
    return /* wgsl */ `
fn activate(z: f32) -> f32 { return select(0.0f, z, z > 0.0f); }
// 1 for z > 0, else 0, as the reference and TensorFlow.js.
fn slope(z: f32) -> f32 { return select(0.0f, 1.0f, z > 0.0f); }
`;
  }
  return /* wgsl */ `
fn activate(z: f32) -> f32 { return z * sigmoid(z); }
fn slope(z: f32) -> f32 {
  let s = sigmoid(z);
  return s * (1.0f + z * (1.0f - s));
}
`;
}

interface Binding {
  readonly name: string;
  readonly kind: BindingKind;
  /** WGSL type: 'Layer', 'array<f32>' or 'array<i32>'. */
  readonly type: string;
}

function declare(bindings: readonly Binding[]): { code: string; kinds: BindingKind[] } {
  const code = bindings
    .map(({ name, kind, type }, index) => {
      const space = kind === 'uniform' ? 'uniform' : kind === 'read' ? 'storage, read' : 'storage, read_write';
      return `@group(0) @binding(${index}) var<${space}> ${name}: ${type};`;
    })
    .join('\n');
  return { code, kinds: bindings.map((b) => b.kind) };
}

/** The input bindings of a mode (source, and the indices when gathering) and its loadInput(k, r, p). */
function inputOf(mode: InputMode): { bindings: Binding[]; code: string } {
  const source: Binding = { name: 'source', kind: 'read', type: 'array<f32>' };
  if (mode === 'gather') {
    return {
      bindings: [source, { name: 'indices', kind: 'read', type: 'array<i32>' }],
      code: /* wgsl */ `
fn loadInput(k: u32, r: u32, p: u32) -> f32 {
  let row = u32(indices[run.offset + k * run.rows + r]);
  return source[row * layer.fanIn + p];
}`,
    };
  }
  if (mode === 'shared') {
    return { bindings: [source], code: 'fn loadInput(k: u32, r: u32, p: u32) -> f32 { return source[r * layer.fanIn + p]; }' };
  }
  return { bindings: [source], code: 'fn loadInput(k: u32, r: u32, p: u32) -> f32 { return source[(k * run.rows + r) * layer.fanIn + p]; }' };
}

/**
 * C(m, n) = initial(k, m, n) + Σᵢ A(m, i)·B(i, n) for every member k = workgroup z, in 16 × 16
 * tiles staged through workgroup memory; the caller defines sizeM/N/K, initial, loadA, loadB, store.
 * The sum runs in increasing i, the reference's order.
 */
const TILED_MATMUL = /* wgsl */ `
const TILE = ${TILE}u;
var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let k = group.z;
  let m = group.y * TILE + local.y;
  let n = group.x * TILE + local.x;
  let sizeM = rowsM();
  let sizeN = colsN();
  let depth = depthK();
  let inside = m < sizeM && n < sizeN;
  var acc = 0.0f;
  if (inside) { acc = initial(k, m, n); }
  for (var t = 0u; t < depth; t += TILE) {
    let i = t + local.x;
    var a = 0.0f;
    if (m < sizeM && i < depth) { a = loadA(k, m, i); }
    tileA[local.y][local.x] = a;
    let j = t + local.y;
    var b = 0.0f;
    if (j < depth && n < sizeN) { b = loadB(k, j, n); }
    tileB[local.y][local.x] = b;
    workgroupBarrier();
    for (var q = 0u; q < TILE; q++) { acc += tileA[local.y][q] * tileB[q][local.x]; }
    workgroupBarrier();
  }
  if (inside) { store(k, m, n, acc); }
}
`;

/**
 * The same sum without workgroup memory: each invocation reads its row of A and column of B
 * itself, in the same order (so the same result). Software adapters (SwiftShader) run workgroup
 * barriers slowly; hardware GPUs prefer the tiled form.
 */
const DIRECT_MATMUL = /* wgsl */ `
const TILE = ${TILE}u;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let k = group.z;
  let m = group.y * TILE + local.y;
  let n = group.x * TILE + local.x;
  if (m >= rowsM() || n >= colsN()) { return; }
  let depth = depthK();
  var acc = initial(k, m, n);
  for (var i = 0u; i < depth; i++) { acc += loadA(k, m, i) * loadB(k, i, n); }
  store(k, m, n, acc);
}
`;

/** How the matrix products are computed: staged through workgroup memory or read directly. */
export type MatmulForm = 'tiled' | 'direct';

const matmul = (form: MatmulForm) => (form === 'tiled' ? TILED_MATMUL : DIRECT_MATMUL);

const LAYER: Binding = { name: 'layer', kind: 'uniform', type: 'Layer' };
const PARAMS: Binding = { name: 'params', kind: 'read', type: 'array<f32>' };

/**
 * Forward pass of one layer: pre = input·W + b for rows × fanOut of every member, and for a
 * hidden layer post = act(pre). Bindings: layer, params, input (see InputMode), pre[, post].
 */
export function forwardKernel(mode: InputMode, activation: MlpActivation, hidden: boolean, form: MatmulForm = 'tiled'): KernelSource {
  const input = inputOf(mode);
  const { code, kinds } = declare([
    LAYER,
    PARAMS,
    ...input.bindings,
    { name: 'pre', kind: 'write', type: 'array<f32>' },
    ...(hidden ? [{ name: 'post', kind: 'write', type: 'array<f32>' } as const] : []),
  ]);
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${activationCode(activation)}${code}${input.code}
fn rowsM() -> u32 { return run.rows; }
fn colsN() -> u32 { return layer.fanOut; }
fn depthK() -> u32 { return layer.fanIn; }
fn initial(k: u32, m: u32, n: u32) -> f32 { return params[layer.biasOffset + k * layer.fanOut + n]; }
fn loadA(k: u32, m: u32, i: u32) -> f32 { return loadInput(k, m, i); }
fn loadB(k: u32, i: u32, n: u32) -> f32 { return params[layer.weightOffset + (k * layer.fanIn + i) * layer.fanOut + n]; }
fn store(k: u32, m: u32, n: u32, acc: f32) {
  let at = (k * run.rows + m) * layer.fanOut + n;
  pre[at] = acc;
  ${hidden ? 'post[at] = activate(acc);' : ''}
}
${matmul(form)}`,
  };
}

/**
 * Δ of the layer below: below = (delta·Wᵀ) ⊙ act′(prePrevious), rows × fanIn of every member.
 * Bindings: layer (the upper layer), params, delta, prePrevious, below.
 */
export function deltaBelowKernel(activation: MlpActivation, form: MatmulForm = 'tiled'): KernelSource {
  const { code, kinds } = declare([
    LAYER,
    PARAMS,
    { name: 'delta', kind: 'read', type: 'array<f32>' },
    { name: 'prePrevious', kind: 'read', type: 'array<f32>' },
    { name: 'below', kind: 'write', type: 'array<f32>' },
  ]);
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${activationCode(activation)}${code}
fn rowsM() -> u32 { return run.rows; }
fn colsN() -> u32 { return layer.fanIn; }
fn depthK() -> u32 { return layer.fanOut; }
fn initial(k: u32, m: u32, n: u32) -> f32 { return 0.0f; }
fn loadA(k: u32, m: u32, i: u32) -> f32 { return delta[(k * run.rows + m) * layer.fanOut + i]; }
fn loadB(k: u32, i: u32, n: u32) -> f32 { return params[layer.weightOffset + (k * layer.fanIn + n) * layer.fanOut + i]; }
fn store(k: u32, m: u32, n: u32, acc: f32) {
  let at = (k * run.rows + m) * layer.fanIn + n;
  below[at] = acc * slope(prePrevious[at]);
}
${matmul(form)}`,
  };
}

/**
 * Gradients of one layer, summed over the batch rows: row m < fanIn of [input 1]ᵀ·delta is
 * dW[m][·], row fanIn (the column of ones) is db. Written straight into the flat gradient array.
 * Bindings: layer, input (see InputMode), delta, gradient.
 */
export function weightGradientKernel(mode: InputMode, form: MatmulForm = 'tiled'): KernelSource {
  const input = inputOf(mode);
  const { code, kinds } = declare([
    LAYER,
    ...input.bindings,
    { name: 'delta', kind: 'read', type: 'array<f32>' },
    { name: 'gradient', kind: 'write', type: 'array<f32>' },
  ]);
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${code}${input.code}
fn rowsM() -> u32 { return layer.fanIn + 1u; }
fn colsN() -> u32 { return layer.fanOut; }
fn depthK() -> u32 { return run.rows; }
fn initial(k: u32, m: u32, n: u32) -> f32 { return 0.0f; }
fn loadA(k: u32, m: u32, i: u32) -> f32 {
  if (m < layer.fanIn) { return loadInput(k, i, m); }
  return 1.0f;
}
fn loadB(k: u32, i: u32, n: u32) -> f32 { return delta[(k * run.rows + i) * layer.fanOut + n]; }
fn store(k: u32, m: u32, n: u32, acc: f32) {
  if (m < layer.fanIn) {
    gradient[layer.weightOffset + (k * layer.fanIn + m) * layer.fanOut + n] = acc;
  } else {
    gradient[layer.biasOffset + k * layer.fanOut + n] = acc;
  }
}
${matmul(form)}`,
  };
}

/**
 * dLoss/dZ of the output layer for every member and batch row; the loss is the mean over rows and
 * targets (run.lossScale = 1 / (rows · targets)). Bindings: layer (the last), pre, poolY, indices, delta.
 */
export function outputDeltaKernel(loss: MlpLoss): KernelSource {
  const { code, kinds } = declare([
    LAYER,
    { name: 'pre', kind: 'read', type: 'array<f32>' },
    { name: 'poolY', kind: 'read', type: 'array<f32>' },
    { name: 'indices', kind: 'read', type: 'array<i32>' },
    { name: 'delta', kind: 'write', type: 'array<f32>' },
  ]);
  const body =
    loss === 'mse'
      ? 'delta[at + t] = 2.0f * residual * run.lossScale;'
      : /* wgsl */ `let raw = pre[at + layer.targets + t];
    let variance = softplus(raw) + MIN_VARIANCE;
    delta[at + t] = (residual / variance) * run.lossScale;
    let dVariance = 0.5f * (1.0f / variance - (residual * residual) / (variance * variance));
    delta[at + layer.targets + t] = dVariance * sigmoid(raw) * run.lossScale;`;
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${code}
const MIN_VARIANCE = ${f32(MIN_VARIANCE)};

@compute @workgroup_size(${ROW_GROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  let k = id.y;
  if (r >= run.rows) { return; }
  let row = u32(indices[run.offset + k * run.rows + r]);
  let at = (k * run.rows + r) * layer.fanOut;
  for (var t = 0u; t < layer.targets; t++) {
    let residual = pre[at + t] - poolY[row * layer.targets + t];
    ${body}
  }
}`,
  };
}

/**
 * AdamW over the flat parameter array (bound to exactly its length); decay is 1 for weights and
 * 0 for biases. Bindings: gradient, decay, params, firstMoment, secondMoment.
 */
export function adamWKernel(): KernelSource {
  const { code, kinds } = declare([
    { name: 'gradient', kind: 'read', type: 'array<f32>' },
    { name: 'decay', kind: 'read', type: 'array<f32>' },
    { name: 'params', kind: 'write', type: 'array<f32>' },
    { name: 'firstMoment', kind: 'write', type: 'array<f32>' },
    { name: 'secondMoment', kind: 'write', type: 'array<f32>' },
  ]);
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${code}
const BETA1 = ${f32(ADAM_BETA1)};
const ONE_MINUS_BETA1 = ${f32(1 - ADAM_BETA1)};
const BETA2 = ${f32(ADAM_BETA2)};
const ONE_MINUS_BETA2 = ${f32(1 - ADAM_BETA2)};
const EPSILON = ${f32(ADAM_EPSILON)};

@compute @workgroup_size(${ADAM_GROUP})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) local: u32) {
  let q = (group.y * groups.x + group.x) * ${ADAM_GROUP}u + local;
  if (q >= arrayLength(&params)) { return; }
  let g = gradient[q];
  let m = BETA1 * firstMoment[q] + ONE_MINUS_BETA1 * g;
  let v = BETA2 * secondMoment[q] + ONE_MINUS_BETA2 * g * g;
  firstMoment[q] = m;
  secondMoment[q] = v;
  let update = m / run.correction1 / (sqrt(v / run.correction2) + EPSILON);
  let p = params[q];
  params[q] = p - run.learningRate * (update + run.weightDecay * decay[q] * p);
}`,
  };
}

/**
 * Mean over members of the predicted means, their variance (two passes, so no cancellation), and
 * with the Gaussian head the mean predicted noise variance, for the rows of one chunk; written to
 * summary[(run.offset + r)·3 + s][t], s = 0 mean, 1 member variance, 2 noise variance.
 * Bindings: layer (the last), pre, summary.
 */
export function summaryKernel(loss: MlpLoss): KernelSource {
  const { code, kinds } = declare([
    LAYER,
    { name: 'pre', kind: 'read', type: 'array<f32>' },
    { name: 'summary', kind: 'write', type: 'array<f32>' },
  ]);
  const noise = loss === 'gaussian-nll' ? 'noise += softplus(pre[at + layer.targets + t]) + MIN_VARIANCE;' : '';
  return {
    bindings: kinds,
    code: /* wgsl */ `${PRELUDE}${code}
const MIN_VARIANCE = ${f32(MIN_VARIANCE)};

@compute @workgroup_size(${ROW_GROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  if (r >= run.rows) { return; }
  let members = f32(layer.members);
  let base = (run.offset + r) * 3u * layer.targets;
  for (var t = 0u; t < layer.targets; t++) {
    var sum = 0.0f;
    var noise = 0.0f;
    for (var k = 0u; k < layer.members; k++) {
      let at = (k * run.rows + r) * layer.fanOut;
      sum += pre[at + t];
      ${noise}
    }
    let mean = sum / members;
    var spread = 0.0f;
    for (var k = 0u; k < layer.members; k++) {
      let d = pre[(k * run.rows + r) * layer.fanOut + t] - mean;
      spread += d * d;
    }
    summary[base + t] = mean;
    summary[base + layer.targets + t] = spread / members;
    summary[base + 2u * layer.targets + t] = noise / members;
  }
}`,
  };
}
