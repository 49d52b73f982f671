// Fused training and inference of an ensemble of small MLPs (shared/engine/kernels/wasm-mlp.ts
// drives these; shared/engine/kernels/mlp-reference.ts is the specification they are tested against).
//
// The caller owns all memory. It describes one ensemble by a *plan*: a block of i32 words (the
// PLAN_* indices below) holding the shape and the byte addresses of the parameters, the AdamW
// moments and a scratch region, followed by LAYER_WORDS words per layer (LAYER_*).
//
// Padding makes every inner loop a whole number of SIMD vectors: inside wasm every layer's fanOut
// is a multiple of 4 and the network input a multiple of 2 (padding weights, biases and inputs are
// zero and stay zero: their gradients are exactly zero), and rows pass through the network in
// tiles of TILE_ROWS, the last one padded to an even count (the padding row gets a zero loss
// gradient). The TS side converts to and from the unpadded layout of the MlpEnsembleKernels
// interface.
//
// Matrix products use one register-blocked kernel (gemm): 2 rows × 16 columns of the result in 8
// accumulators, one broadcast value of the left operand per row and 4 contiguous vectors of the
// right operand per step of the sum. V8 keeps that in its ~15 SIMD registers without spilling.
// The exception is a narrow output layer (1 or 2 columns, PLAN_OUT_WIDTH ≤ 2, below a hidden
// layer): gemm would spend 3 or 2 of its 4 lanes on padding columns, so its forward pass runs as
// dot products along the hidden layer (forwardNarrow) and its weight gradient is computed
// transposed (gradientNarrow), then written back in the [fanIn][fanOut] layout with zero padding
// columns (untransposeNarrow).

// Plan words.
const PLAN_LAYERS = 0;
const PLAN_MEMBERS = 1;
const PLAN_INPUTS = 2;
const PLAN_IN_PAD = 3;
const PLAN_TARGETS = 4;
const PLAN_OUT_WIDTH = 5;
const PLAN_ACTIVATION = 6; // 0 SiLU, 1 ReLU
const PLAN_LOSS = 7; // 0 mse, 1 gaussian-nll
const PLAN_PARAMS = 8;
const PLAN_FIRST_MOMENT = 9;
const PLAN_SECOND_MOMENT = 10;
const PLAN_X0 = 11; // [tile rows][inPad] inputs
const PLAN_Y0 = 12; // [tile rows][targets] targets
const PLAN_OUT = 13; // [tile rows][outPad] network outputs
const PLAN_DELTA_A = 14; // [tile rows][widest layer] errors, twice
const PLAN_DELTA_B = 15;
const PLAN_STEP = 16; // AdamW steps taken
const PLAN_LAYER_BASE = 17;
// Layer words (at PLAN_LAYER_BASE + LAYER_WORDS·l).
const LAYER_WORDS = 9;
const LAYER_FAN_IN = 0; // padded
const LAYER_FAN_OUT = 1; // padded
const LAYER_WEIGHTS = 2; // float offset of member 0's weights in the parameter array
const LAYER_BIASES = 3; // float offset of member 0's biases
const LAYER_ACTIVATIONS = 4; // byte address of [tile rows][fanOut] activations (hidden layers)
const LAYER_SLOPES = 5; // byte address of [tile rows][fanOut] activation slopes (hidden layers)
const LAYER_WEIGHT_GRADIENT = 6; // byte address of one member's [fanIn][fanOut] weight gradient
const LAYER_BIAS_GRADIENT = 7; // byte address of one member's [fanOut] bias gradient
const LAYER_TRANSPOSED = 8; // byte address of one member's weights transposed, [fanOut][fanIn]
// (for a narrow output layer in training, rows 2 and 3 hold its transposed weight gradient)

const ADAM_BETA1: f32 = 0.9;
const ADAM_BETA2: f32 = 0.999;
const ADAM_EPSILON: f32 = 1e-8;
const MIN_VARIANCE: f32 = 1e-6;
/** Rows per forward (and backward) pass in training and inference: even, and few enough that a
 * tile's activations, slopes and errors stay in L1. */
const TILE_ROWS: i32 = 64;

@inline function word(plan: usize, index: i32): i32 {
  return load<i32>(plan + (<usize>index << 2));
}

@inline function layerWord(plan: usize, layer: i32, index: i32): i32 {
  return load<i32>(plan + (<usize>(PLAN_LAYER_BASE + LAYER_WORDS * layer + index) << 2));
}

@inline function addr(plan: usize, index: i32): usize {
  return <usize>load<u32>(plan + (<usize>index << 2));
}

@inline function layerAddr(plan: usize, layer: i32, index: i32): usize {
  return <usize>load<u32>(plan + (<usize>(PLAN_LAYER_BASE + LAYER_WORDS * layer + index) << 2));
}

/** a·b + c: one fused instruction in the relaxed-SIMD build, a multiply and an add otherwise. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** The starting value of an accumulator: 0, or 4 floats at init + at (a bias, or C itself). */
@inline function initial(init: usize, at: usize): v128 {
  return init ? v128.load(init + at) : f32x4.splat(0);
}

/**
 * C[i][j] = I[i][j] + Σₖ X(i, k)·M[k][j] for i < rows, j < n, optionally multiplied elementwise by
 * S[i][j] (same leading dimension as C). X(i, k) is at x + 4·(i·sI + k·sK), so the same kernel
 * computes A·W (forward), Aᵀ·Δ (weight gradient) and Δ·Wᵀ (backpropagated error). I[i][j] is at
 * init + 4·(i·initStep + j): a bias (initStep 0), C itself (accumulating), or zero (init 0).
 * rows even, n a multiple of 4, ldm and ldc in floats; scale is 0 when absent.
 */
export function gemm(
  x: usize, sI: i32, sK: i32, m: usize, ldm: i32, c: usize, ldc: i32,
  rows: i32, depth: i32, n: i32, init: usize, initStep: i32, scale: usize,
): void {
  const rowStep = <usize>sI << 2;
  const depthStep = <usize>sK << 2;
  const mStep = <usize>ldm << 2;
  const cStep = <usize>ldc << 2;
  const initRow = <usize>initStep << 2;
  let j: i32 = 0;
  for (; j + 16 <= n; j += 16) {
    const column = <usize>j << 2;
    for (let i: i32 = 0; i < rows; i += 2) {
      const ia = <usize>i * initRow + column;
      const ib = ia + initRow;
      let c00 = initial(init, ia);
      let c01 = initial(init, ia + 16);
      let c02 = initial(init, ia + 32);
      let c03 = initial(init, ia + 48);
      let c10 = initial(init, ib);
      let c11 = initial(init, ib + 16);
      let c12 = initial(init, ib + 32);
      let c13 = initial(init, ib + 48);
      let xa = x + <usize>i * rowStep;
      let xb = xa + rowStep;
      let mp = m + column;
      for (let k: i32 = 0; k < depth; k++) {
        const a0 = v128.load32_splat(xa);
        const a1 = v128.load32_splat(xb);
        const w0 = v128.load(mp);
        const w1 = v128.load(mp, 16);
        const w2 = v128.load(mp, 32);
        const w3 = v128.load(mp, 48);
        c00 = madd(a0, w0, c00);
        c01 = madd(a0, w1, c01);
        c02 = madd(a0, w2, c02);
        c03 = madd(a0, w3, c03);
        c10 = madd(a1, w0, c10);
        c11 = madd(a1, w1, c11);
        c12 = madd(a1, w2, c12);
        c13 = madd(a1, w3, c13);
        xa += depthStep;
        xb += depthStep;
        mp += mStep;
      }
      const at = <usize>i * cStep + column;
      const ca = c + at;
      const cb = ca + cStep;
      if (scale) {
        const sa = scale + at;
        const sb = sa + cStep;
        c00 = f32x4.mul(c00, v128.load(sa));
        c01 = f32x4.mul(c01, v128.load(sa, 16));
        c02 = f32x4.mul(c02, v128.load(sa, 32));
        c03 = f32x4.mul(c03, v128.load(sa, 48));
        c10 = f32x4.mul(c10, v128.load(sb));
        c11 = f32x4.mul(c11, v128.load(sb, 16));
        c12 = f32x4.mul(c12, v128.load(sb, 32));
        c13 = f32x4.mul(c13, v128.load(sb, 48));
      }
      v128.store(ca, c00);
      v128.store(ca, c01, 16);
      v128.store(ca, c02, 32);
      v128.store(ca, c03, 48);
      v128.store(cb, c10);
      v128.store(cb, c11, 16);
      v128.store(cb, c12, 32);
      v128.store(cb, c13, 48);
    }
  }
  if (j + 8 <= n) {
    gemmNarrow8(x, rowStep, depthStep, m, mStep, c, cStep, rows, depth, j, init, initRow, scale);
    j += 8;
  }
  if (j < n) gemmNarrow4(x, rowStep, depthStep, m, mStep, c, cStep, rows, depth, j, init, initRow, scale);
}

/** Columns j … j+7 of gemm's result, 4 rows at a time (8 accumulators) with a 2-row tail. */
function gemmNarrow8(
  x: usize, rowStep: usize, depthStep: usize, m: usize, mStep: usize, c: usize, cStep: usize,
  rows: i32, depth: i32, j: i32, init: usize, initRow: usize, scale: usize,
): void {
  const column = <usize>j << 2;
  let i: i32 = 0;
  for (; i + 4 <= rows; i += 4) {
    const i0 = <usize>i * initRow + column;
    let c00 = initial(init, i0), c01 = initial(init, i0 + 16);
    let c10 = initial(init, i0 + initRow), c11 = initial(init, i0 + initRow + 16);
    let c20 = initial(init, i0 + 2 * initRow), c21 = initial(init, i0 + 2 * initRow + 16);
    let c30 = initial(init, i0 + 3 * initRow), c31 = initial(init, i0 + 3 * initRow + 16);
    let xp = x + <usize>i * rowStep;
    let mp = m + column;
    for (let k: i32 = 0; k < depth; k++) {
      const w0 = v128.load(mp);
      const w1 = v128.load(mp, 16);
      const a0 = v128.load32_splat(xp);
      const a1 = v128.load32_splat(xp + rowStep);
      const a2 = v128.load32_splat(xp + 2 * rowStep);
      const a3 = v128.load32_splat(xp + 3 * rowStep);
      c00 = madd(a0, w0, c00);
      c01 = madd(a0, w1, c01);
      c10 = madd(a1, w0, c10);
      c11 = madd(a1, w1, c11);
      c20 = madd(a2, w0, c20);
      c21 = madd(a2, w1, c21);
      c30 = madd(a3, w0, c30);
      c31 = madd(a3, w1, c31);
      xp += depthStep;
      mp += mStep;
    }
    const at = <usize>i * cStep + column;
    storeRow2(c + at, c00, c01, scale, at);
    storeRow2(c + at + cStep, c10, c11, scale, at + cStep);
    storeRow2(c + at + 2 * cStep, c20, c21, scale, at + 2 * cStep);
    storeRow2(c + at + 3 * cStep, c30, c31, scale, at + 3 * cStep);
  }
  for (; i < rows; i += 2) {
    const i0 = <usize>i * initRow + column;
    let c00 = initial(init, i0), c01 = initial(init, i0 + 16);
    let c10 = initial(init, i0 + initRow), c11 = initial(init, i0 + initRow + 16);
    let xp = x + <usize>i * rowStep;
    let mp = m + column;
    for (let k: i32 = 0; k < depth; k++) {
      const w0 = v128.load(mp);
      const w1 = v128.load(mp, 16);
      const a0 = v128.load32_splat(xp);
      const a1 = v128.load32_splat(xp + rowStep);
      c00 = madd(a0, w0, c00);
      c01 = madd(a0, w1, c01);
      c10 = madd(a1, w0, c10);
      c11 = madd(a1, w1, c11);
      xp += depthStep;
      mp += mStep;
    }
    const at = <usize>i * cStep + column;
    storeRow2(c + at, c00, c01, scale, at);
    storeRow2(c + at + cStep, c10, c11, scale, at + cStep);
  }
}

@inline function storeRow2(p: usize, v0: v128, v1: v128, scale: usize, at: usize): void {
  if (scale) {
    v0 = f32x4.mul(v0, v128.load(scale + at));
    v1 = f32x4.mul(v1, v128.load(scale + at, 16));
  }
  v128.store(p, v0);
  v128.store(p, v1, 16);
}

@inline function storeRow1(p: usize, v: v128, scale: usize, at: usize): void {
  if (scale) v = f32x4.mul(v, v128.load(scale + at));
  v128.store(p, v);
}

/** Columns j … j+3 of gemm's result, 8 rows at a time with a 2-row tail. */
function gemmNarrow4(
  x: usize, rowStep: usize, depthStep: usize, m: usize, mStep: usize, c: usize, cStep: usize,
  rows: i32, depth: i32, j: i32, init: usize, initRow: usize, scale: usize,
): void {
  const column = <usize>j << 2;
  let i: i32 = 0;
  for (; i + 8 <= rows; i += 8) {
    const i0 = <usize>i * initRow + column;
    let c0 = initial(init, i0);
    let c1 = initial(init, i0 + initRow);
    let c2 = initial(init, i0 + 2 * initRow);
    let c3 = initial(init, i0 + 3 * initRow);
    let c4 = initial(init, i0 + 4 * initRow);
    let c5 = initial(init, i0 + 5 * initRow);
    let c6 = initial(init, i0 + 6 * initRow);
    let c7 = initial(init, i0 + 7 * initRow);
    let xp = x + <usize>i * rowStep;
    let mp = m + column;
    for (let k: i32 = 0; k < depth; k++) {
      const w = v128.load(mp);
      c0 = madd(v128.load32_splat(xp), w, c0);
      c1 = madd(v128.load32_splat(xp + rowStep), w, c1);
      c2 = madd(v128.load32_splat(xp + 2 * rowStep), w, c2);
      c3 = madd(v128.load32_splat(xp + 3 * rowStep), w, c3);
      c4 = madd(v128.load32_splat(xp + 4 * rowStep), w, c4);
      c5 = madd(v128.load32_splat(xp + 5 * rowStep), w, c5);
      c6 = madd(v128.load32_splat(xp + 6 * rowStep), w, c6);
      c7 = madd(v128.load32_splat(xp + 7 * rowStep), w, c7);
      xp += depthStep;
      mp += mStep;
    }
    const at = <usize>i * cStep + column;
    storeRow1(c + at, c0, scale, at);
    storeRow1(c + at + cStep, c1, scale, at + cStep);
    storeRow1(c + at + 2 * cStep, c2, scale, at + 2 * cStep);
    storeRow1(c + at + 3 * cStep, c3, scale, at + 3 * cStep);
    storeRow1(c + at + 4 * cStep, c4, scale, at + 4 * cStep);
    storeRow1(c + at + 5 * cStep, c5, scale, at + 5 * cStep);
    storeRow1(c + at + 6 * cStep, c6, scale, at + 6 * cStep);
    storeRow1(c + at + 7 * cStep, c7, scale, at + 7 * cStep);
  }
  for (; i < rows; i += 2) {
    const i0 = <usize>i * initRow + column;
    let c0 = initial(init, i0);
    let c1 = initial(init, i0 + initRow);
    let xp = x + <usize>i * rowStep;
    let mp = m + column;
    for (let k: i32 = 0; k < depth; k++) {
      const w = v128.load(mp);
      c0 = madd(v128.load32_splat(xp), w, c0);
      c1 = madd(v128.load32_splat(xp + rowStep), w, c1);
      xp += depthStep;
      mp += mStep;
    }
    const at = <usize>i * cStep + column;
    storeRow1(c + at, c0, scale, at);
    storeRow1(c + at + cStep, c1, scale, at + cStep);
  }
}

/**
 * [Σ a, Σ b, Σ c, Σ d]: the horizontal sums of four vectors, in three additions of shuffled pairs.
 */
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/**
 * Whether the output layer takes the narrow path (forwardNarrow, gradientNarrow): at most 2 output
 * columns of its padded 4, and a hidden layer below it, so that its fanIn is a multiple of 4 and
 * training transposes its weights.
 */
@inline function narrowOutput(plan: usize): bool {
  return word(plan, PLAN_OUT_WIDTH) <= 2 && word(plan, PLAN_LAYERS) >= 2;
}

/**
 * The output layer's forward pass when it is narrow: out[r][t] = b[t] + Σₖ A[r][k]·WT[t][k] for
 * r < rows (even) and t < width (1 or 2), as dot products along k (fanIn, a multiple of 4) in
 * vectors of 4 k with the weights transposed (WT [4][fanIn]), summed across lanes at the end:
 * 8 rows at a time for one column, 4 for two (8 accumulators), then 2. gemm would compute all 4
 * padded columns, one per lane. out's rows are `ldo` floats apart; its padding columns are not
 * written (nothing reads them).
 */
function forwardNarrow(a: usize, fanIn: i32, wt: usize, b: usize, out: usize, ldo: i32, rows: i32, width: i32): void {
  const rowStep = <usize>fanIn << 2;
  const outStep = <usize>ldo << 2;
  let i: i32 = 0;
  if (width == 1) {
    const bias = v128.load32_splat(b);
    for (; i + 8 <= rows; i += 8) {
      const p0 = a + <usize>i * rowStep;
      const p1 = p0 + rowStep, p2 = p1 + rowStep, p3 = p2 + rowStep;
      const p4 = p3 + rowStep, p5 = p4 + rowStep, p6 = p5 + rowStep, p7 = p6 + rowStep;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
      for (let q: usize = 0; q < rowStep; q += 16) {
        const w = v128.load(wt + q);
        c0 = madd(v128.load(p0 + q), w, c0);
        c1 = madd(v128.load(p1 + q), w, c1);
        c2 = madd(v128.load(p2 + q), w, c2);
        c3 = madd(v128.load(p3 + q), w, c3);
        c4 = madd(v128.load(p4 + q), w, c4);
        c5 = madd(v128.load(p5 + q), w, c5);
        c6 = madd(v128.load(p6 + q), w, c6);
        c7 = madd(v128.load(p7 + q), w, c7);
      }
      const low = f32x4.add(sum4(c0, c1, c2, c3), bias);
      const high = f32x4.add(sum4(c4, c5, c6, c7), bias);
      const o = out + <usize>i * outStep;
      store<f32>(o, f32x4.extract_lane(low, 0));
      store<f32>(o + outStep, f32x4.extract_lane(low, 1));
      store<f32>(o + 2 * outStep, f32x4.extract_lane(low, 2));
      store<f32>(o + 3 * outStep, f32x4.extract_lane(low, 3));
      store<f32>(o + 4 * outStep, f32x4.extract_lane(high, 0));
      store<f32>(o + 5 * outStep, f32x4.extract_lane(high, 1));
      store<f32>(o + 6 * outStep, f32x4.extract_lane(high, 2));
      store<f32>(o + 7 * outStep, f32x4.extract_lane(high, 3));
    }
    for (; i < rows; i += 2) {
      const p0 = a + <usize>i * rowStep;
      const p1 = p0 + rowStep;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      for (let q: usize = 0; q < rowStep; q += 16) {
        const w = v128.load(wt + q);
        c0 = madd(v128.load(p0 + q), w, c0);
        c1 = madd(v128.load(p1 + q), w, c1);
      }
      const sums = f32x4.add(sum4(c0, c1, c0, c1), bias);
      const o = out + <usize>i * outStep;
      store<f32>(o, f32x4.extract_lane(sums, 0));
      store<f32>(o + outStep, f32x4.extract_lane(sums, 1));
    }
    return;
  }
  // Two columns: 4 rows × 2 columns of dot products, summed to [o(r, 0), o(r, 1), o(r+1, 0), o(r+1, 1)].
  const bias = v128.load64_splat(b);
  const wt1 = wt + rowStep;
  for (; i + 4 <= rows; i += 4) {
    const p0 = a + <usize>i * rowStep;
    const p1 = p0 + rowStep, p2 = p1 + rowStep, p3 = p2 + rowStep;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    for (let q: usize = 0; q < rowStep; q += 16) {
      const w0 = v128.load(wt + q);
      const w1 = v128.load(wt1 + q);
      const a0 = v128.load(p0 + q);
      const a1 = v128.load(p1 + q);
      const a2 = v128.load(p2 + q);
      const a3 = v128.load(p3 + q);
      c00 = madd(a0, w0, c00);
      c01 = madd(a0, w1, c01);
      c10 = madd(a1, w0, c10);
      c11 = madd(a1, w1, c11);
      c20 = madd(a2, w0, c20);
      c21 = madd(a2, w1, c21);
      c30 = madd(a3, w0, c30);
      c31 = madd(a3, w1, c31);
    }
    const low = f32x4.add(sum4(c00, c01, c10, c11), bias);
    const high = f32x4.add(sum4(c20, c21, c30, c31), bias);
    const o = out + <usize>i * outStep;
    v128.store64_lane(o, low, 0);
    v128.store64_lane(o + outStep, low, 1);
    v128.store64_lane(o + 2 * outStep, high, 0);
    v128.store64_lane(o + 3 * outStep, high, 1);
  }
  for (; i < rows; i += 2) {
    const p0 = a + <usize>i * rowStep;
    const p1 = p0 + rowStep;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    for (let q: usize = 0; q < rowStep; q += 16) {
      const w0 = v128.load(wt + q);
      const w1 = v128.load(wt1 + q);
      const a0 = v128.load(p0 + q);
      const a1 = v128.load(p1 + q);
      c00 = madd(a0, w0, c00);
      c01 = madd(a0, w1, c01);
      c10 = madd(a1, w0, c10);
      c11 = madd(a1, w1, c11);
    }
    const sums = f32x4.add(sum4(c00, c01, c10, c11), bias);
    const o = out + <usize>i * outStep;
    v128.store64_lane(o, sums, 0);
    v128.store64_lane(o + outStep, sums, 1);
  }
}

/**
 * The narrow output layer's weight gradient, transposed: GT[t][k] (+)= Σ_r Δ[r][t]·A[r][k] for
 * t < width (1 or 2), k < fanIn (a multiple of 4), over `rows` (even) rows of Δ [rows][4] and
 * A [rows][fanIn]; GT's rows are fanIn floats apart. Written when `first`, else added to.
 * Blocks of 16 k: 8 accumulators (both columns, or one column with even and odd rows apart).
 */
function gradientNarrow(delta: usize, a: usize, fanIn: i32, rows: i32, width: i32, gt: usize, first: bool): void {
  const rowStep = <usize>fanIn << 2;
  const deltaStep: usize = 16;
  const gt1 = gt + rowStep;
  const zero = f32x4.splat(0);
  for (let q: usize = 0; q < rowStep; q += 64) {
    const vectors = min<usize>(4, (rowStep - q) >> 4);
    if (vectors == 4) {
      let c00 = zero, c01 = zero, c02 = zero, c03 = zero;
      let c10 = zero, c11 = zero, c12 = zero, c13 = zero;
      let d = delta;
      let p = a + q;
      if (width == 1) {
        // c0· over even rows, c1· over odd rows.
        for (let r: i32 = 0; r < rows; r += 2) {
          const e0 = v128.load32_splat(d);
          const e1 = v128.load32_splat(d + deltaStep);
          const pb = p + rowStep;
          c00 = madd(e0, v128.load(p), c00);
          c01 = madd(e0, v128.load(p, 16), c01);
          c02 = madd(e0, v128.load(p, 32), c02);
          c03 = madd(e0, v128.load(p, 48), c03);
          c10 = madd(e1, v128.load(pb), c10);
          c11 = madd(e1, v128.load(pb, 16), c11);
          c12 = madd(e1, v128.load(pb, 32), c12);
          c13 = madd(e1, v128.load(pb, 48), c13);
          d += 2 * deltaStep;
          p += 2 * rowStep;
        }
        const g = gt + q;
        c00 = f32x4.add(c00, c10);
        c01 = f32x4.add(c01, c11);
        c02 = f32x4.add(c02, c12);
        c03 = f32x4.add(c03, c13);
        if (!first) {
          c00 = f32x4.add(c00, v128.load(g));
          c01 = f32x4.add(c01, v128.load(g, 16));
          c02 = f32x4.add(c02, v128.load(g, 32));
          c03 = f32x4.add(c03, v128.load(g, 48));
        }
        v128.store(g, c00);
        v128.store(g, c01, 16);
        v128.store(g, c02, 32);
        v128.store(g, c03, 48);
      } else {
        for (let r: i32 = 0; r < rows; r++) {
          const e0 = v128.load32_splat(d);
          const e1 = v128.load32_splat(d, 4);
          const a0 = v128.load(p);
          const a1 = v128.load(p, 16);
          const a2 = v128.load(p, 32);
          const a3 = v128.load(p, 48);
          c00 = madd(e0, a0, c00);
          c01 = madd(e0, a1, c01);
          c02 = madd(e0, a2, c02);
          c03 = madd(e0, a3, c03);
          c10 = madd(e1, a0, c10);
          c11 = madd(e1, a1, c11);
          c12 = madd(e1, a2, c12);
          c13 = madd(e1, a3, c13);
          d += deltaStep;
          p += rowStep;
        }
        const g0 = gt + q;
        const g1 = gt1 + q;
        if (!first) {
          c00 = f32x4.add(c00, v128.load(g0));
          c01 = f32x4.add(c01, v128.load(g0, 16));
          c02 = f32x4.add(c02, v128.load(g0, 32));
          c03 = f32x4.add(c03, v128.load(g0, 48));
          c10 = f32x4.add(c10, v128.load(g1));
          c11 = f32x4.add(c11, v128.load(g1, 16));
          c12 = f32x4.add(c12, v128.load(g1, 32));
          c13 = f32x4.add(c13, v128.load(g1, 48));
        }
        v128.store(g0, c00);
        v128.store(g0, c01, 16);
        v128.store(g0, c02, 32);
        v128.store(g0, c03, 48);
        v128.store(g1, c10);
        v128.store(g1, c11, 16);
        v128.store(g1, c12, 32);
        v128.store(g1, c13, 48);
      }
    } else {
      // The last 1 to 3 vectors of k, one at a time: 2 accumulators per column, over even and
      // odd rows.
      for (let s: usize = q; s < rowStep; s += 16) {
        let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
        let d = delta;
        let p = a + s;
        for (let r: i32 = 0; r < rows; r += 2) {
          const a0 = v128.load(p);
          const a1 = v128.load(p + rowStep);
          c00 = madd(v128.load32_splat(d), a0, c00);
          c01 = madd(v128.load32_splat(d + deltaStep), a1, c01);
          if (width == 2) {
            c10 = madd(v128.load32_splat(d, 4), a0, c10);
            c11 = madd(v128.load32_splat(d + deltaStep, 4), a1, c11);
          }
          d += 2 * deltaStep;
          p += 2 * rowStep;
        }
        c00 = f32x4.add(c00, c01);
        if (!first) c00 = f32x4.add(c00, v128.load(gt + s));
        v128.store(gt + s, c00);
        if (width == 2) {
          c10 = f32x4.add(c10, c11);
          if (!first) c10 = f32x4.add(c10, v128.load(gt1 + s));
          v128.store(gt1 + s, c10);
        }
      }
    }
  }
}

/**
 * G [fanIn][4] ← GT [2][fanIn] transposed, for k < fanIn (a multiple of 4): columns 0 and 1 from
 * GT's rows (column 1 zero when width is 1), the padding columns 2 and 3 zero.
 */
function untransposeNarrow(gt: usize, fanIn: i32, width: i32, g: usize): void {
  const rowStep = <usize>fanIn << 2;
  const zero = f32x4.splat(0);
  for (let q: usize = 0; q < rowStep; q += 16) {
    const a = v128.load(gt + q);
    const b = width == 2 ? v128.load(gt + rowStep + q) : zero;
    const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
    const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
    const to = g + (q << 2);
    v128.store(to, v128.shuffle<f32>(ab01, zero, 0, 1, 4, 5));
    v128.store(to, v128.shuffle<f32>(ab01, zero, 2, 3, 4, 5), 16);
    v128.store(to, v128.shuffle<f32>(ab23, zero, 0, 1, 4, 5), 32);
    v128.store(to, v128.shuffle<f32>(ab23, zero, 2, 3, 4, 5), 48);
  }
}

/**
 * Constants of the SiLU loop, read from memory once per call: as v128.const in the loop body V8
 * rebuilds each one on every iteration (several instructions apiece on x64).
 */
const SIGMOID_CONSTANTS = memory.data<f32>([
  -87.0, 87.0, -1.44269504088896341, 12583039.0, 0.693359375, -2.12194440e-4,
  -8.3216801286e-3, 4.1890561581e-2, -1.6667009890e-1, 4.9999231100e-1, 1.0,
], 16);

@inline function sigmoidConstant(index: i32): v128 {
  return v128.load32_splat(SIGMOID_CONSTANTS + (<usize>index << 2));
}

/**
 * In place over count floats (a multiple of 4): h ← act(h); if slopes ≠ 0, slopes ← act′(h before).
 * SiLU is z·σ(z), its slope σ(z)(1 + z(1 − σ(z))); ReLU's slope is 1 for z > 0, else 0 (as the
 * reference and TensorFlow.js).
 *
 * σ(z) = 1 / (1 + e⁻ᶻ) with z clamped to [−87, 87], so that 2ⁿ below and σ stay normal floats
 * (denormals are slow on some CPUs; for z < −87, z·σ(z) is below 1e-35 either way). e⁻ᶻ = 2ⁿ·e⁻ᵗ
 * with n = round(−z / ln 2) and t = z + n·ln 2 (|t| ≤ ln 2 / 2), ln 2 split in two so that n times
 * its high part is exact (one rounded product would cost up to 4e-6 relative at |z| ≈ 70);
 * e⁻ᵗ = 1 − t + t²·q(t), q the cubic that minimizes the largest relative error of e⁻ᵗ on
 * |t| ≤ ln 2 / 2 (1.0e-7, as small as with the Taylor-like quartic of Cephes' expf; SiLU comes
 * out within 3e-7 relative after float32 rounding), evaluated by Estrin's scheme, and 2ⁿ is
 * built in the exponent bits. Each vector is one long dependency chain and the loop runs as fast
 * as the chain is short, hence Estrin rather than Horner, rounding by adding 1.5·2²³ + 127 (which
 * leaves n + 127, the biased exponent of 2ⁿ, in the low mantissa bits) and clamping by pmin/pmax
 * (V8 lowers f32x4.nearest, f32x4.min/max and i32x4.trunc_sat to long NaN-safe sequences on x64).
 */
export function activate(h: usize, slopes: usize, count: i32, activation: i32): void {
  const bytes = <usize>count << 2;
  if (activation == 1) {
    const zero = f32x4.splat(0);
    const one = f32x4.splat(1.0);
    for (let q: usize = 0; q < bytes; q += 16) {
      const z = v128.load(h + q);
      const positive = f32x4.gt(z, zero);
      v128.store(h + q, v128.and(z, positive));
      if (slopes) v128.store(slopes + q, v128.and(one, positive));
    }
    return;
  }
  const lowest = sigmoidConstant(0);
  const highest = sigmoidConstant(1);
  const minusLog2e = sigmoidConstant(2);
  const magic = sigmoidConstant(3);
  const ln2High = sigmoidConstant(4);
  const ln2Low = sigmoidConstant(5);
  const q3 = sigmoidConstant(6);
  const q2 = sigmoidConstant(7);
  const q1 = sigmoidConstant(8);
  const q0 = sigmoidConstant(9);
  const one = sigmoidConstant(10);
  for (let q: usize = 0; q < bytes; q += 16) {
    const z = v128.load(h + q);
    const clamped = f32x4.pmin(f32x4.pmax(z, lowest), highest);
    const shifted = madd(clamped, minusLog2e, magic);
    const n = f32x4.sub(shifted, magic);
    const t = madd(n, ln2Low, madd(n, ln2High, clamped));
    const t2 = f32x4.mul(t, t);
    const low = madd(q1, t, q0);
    const high = madd(q3, t, q2);
    const expMinusT = madd(t2, madd(high, t2, low), f32x4.sub(one, t));
    // The bits of `shifted` are those of 1.5·2²³ plus n + 127 (1 … 253); shifting by 23 keeps
    // the latter, in the exponent field: 2ⁿ.
    const e = f32x4.mul(expMinusT, i32x4.shl(shifted, 23));
    const s = f32x4.div(one, f32x4.add(one, e));
    const silu = f32x4.mul(z, s);
    v128.store(h + q, silu);
    // σ(1 + z(1 − σ)) = σ + silu·(1 − σ).
    if (slopes) v128.store(slopes + q, madd(silu, f32x4.sub(one, s), s));
  }
}

/**
 * dLoss/dz of the output layer for `count` real rows ([paddedRows][outPad], padding zero) of a
 * batch of `batch` rows: the loss is a mean over the batch's rows and targets (MlpLoss in
 * mlp-reference.ts).
 */
function lossGradient(plan: usize, out: usize, y: usize, delta: usize, count: i32, paddedRows: i32, batch: i32): void {
  const targets = word(plan, PLAN_TARGETS);
  const last = word(plan, PLAN_LAYERS) - 1;
  const width = layerWord(plan, last, LAYER_FAN_OUT);
  zeroBytes(delta, <usize>(paddedRows * width) << 2);
  const scale: f32 = 1 / <f32>(batch * targets);
  const gaussian = word(plan, PLAN_LOSS) == 1;
  for (let r: i32 = 0; r < count; r++) {
    const o = out + (<usize>(r * width) << 2);
    const d = delta + (<usize>(r * width) << 2);
    const yr = y + (<usize>(r * targets) << 2);
    for (let t: i32 = 0; t < targets; t++) {
      const residual = load<f32>(o + (<usize>t << 2)) - load<f32>(yr + (<usize>t << 2));
      if (!gaussian) {
        store<f32>(d + (<usize>t << 2), 2 * residual * scale);
      } else {
        const raw = load<f32>(o + (<usize>(targets + t) << 2));
        // softplus(raw) = max(raw, 0) + log1p(e) and σ(raw) (its slope) from one e = exp(−|raw|).
        const e = Mathf.exp(-Mathf.abs(raw));
        const variance = (raw > 0 ? raw + Mathf.log1p(e) : Mathf.log1p(e)) + MIN_VARIANCE;
        store<f32>(d + (<usize>t << 2), (residual / variance) * scale);
        const dVariance: f32 = 0.5 * (1 / variance - (residual * residual) / (variance * variance));
        const sigmoid: f32 = raw >= 0 ? <f32>1 / (1 + e) : e / (1 + e);
        store<f32>(d + (<usize>(targets + t) << 2), dVariance * sigmoid * scale);
      }
    }
  }
}

/** Zeroes `bytes` bytes (a multiple of 16) at p: a loop, for the reason given at copyFloats. */
@inline function zeroBytes(p: usize, bytes: usize): void {
  const zero = f32x4.splat(0);
  for (let q: usize = 0; q < bytes; q += 16) v128.store(p + q, zero);
}

/**
 * Copies n floats: a loop, since V8 runs memory.copy of a variable size as a call into the
 * runtime, which costs more than copying the few floats of a row.
 */
@inline function copyFloats(target: usize, source: usize, n: i32): void {
  const bytes = <usize>n << 2;
  let q: usize = 0;
  for (; q + 16 <= bytes; q += 16) v128.store(target + q, v128.load(source + q));
  for (; q < bytes; q += 4) store<f32>(target + q, load<f32>(source + q));
}

/** Copies pool rows idx[0 … count) into x0 [paddedRows][inPad] and y0 [count][targets], zero-padded. */
function gatherRows(plan: usize, poolX: usize, poolY: usize, idx: usize, count: i32, paddedRows: i32): void {
  const inputs = word(plan, PLAN_INPUTS);
  const inPad = word(plan, PLAN_IN_PAD);
  const targets = word(plan, PLAN_TARGETS);
  const x0 = addr(plan, PLAN_X0);
  const y0 = addr(plan, PLAN_Y0);
  if (inPad != inputs || paddedRows != count) zeroBytes(x0, <usize>(paddedRows * inPad) << 2);
  for (let r: i32 = 0; r < count; r++) {
    const row = load<i32>(idx + (<usize>r << 2));
    copyFloats(x0 + (<usize>(r * inPad) << 2), poolX + (<usize>(row * inputs) << 2), inputs);
    copyFloats(y0 + (<usize>(r * targets) << 2), poolY + (<usize>(row * targets) << 2), targets);
  }
}

/** Forward pass of member k over `rows` (even) rows of x0; the output lands at PLAN_OUT. */
function forwardMember(plan: usize, k: i32, rows: i32, slopes: bool): void {
  const layers = word(plan, PLAN_LAYERS);
  const params = addr(plan, PLAN_PARAMS);
  const activation = word(plan, PLAN_ACTIVATION);
  const narrow = narrowOutput(plan);
  let input = addr(plan, PLAN_X0);
  for (let l: i32 = 0; l < layers; l++) {
    const fanIn = layerWord(plan, l, LAYER_FAN_IN);
    const fanOut = layerWord(plan, l, LAYER_FAN_OUT);
    const w = params + (<usize>(layerWord(plan, l, LAYER_WEIGHTS) + k * fanIn * fanOut) << 2);
    const b = params + (<usize>(layerWord(plan, l, LAYER_BIASES) + k * fanOut) << 2);
    const hidden = l + 1 < layers;
    const out = hidden ? layerAddr(plan, l, LAYER_ACTIVATIONS) : addr(plan, PLAN_OUT);
    if (!hidden && narrow) {
      forwardNarrow(input, fanIn, layerAddr(plan, l, LAYER_TRANSPOSED), b, out, fanOut, rows, word(plan, PLAN_OUT_WIDTH));
      break;
    }
    gemm(input, fanIn, 1, w, fanOut, out, fanOut, rows, fanIn, fanOut, b, 0, 0);
    if (hidden) activate(out, slopes ? layerAddr(plan, l, LAYER_SLOPES) : 0, rows * fanOut, activation);
    input = out;
  }
}

/** WT [fanOut][fanIn] ← W [fanIn][fanOut], both multiples of 4, in 4 × 4 blocks of shuffles. */
function transpose(w: usize, fanIn: i32, fanOut: i32, wt: usize): void {
  const rowIn = <usize>fanOut << 2;
  const rowOut = <usize>fanIn << 2;
  for (let p: i32 = 0; p < fanIn; p += 4) {
    const source = w + <usize>p * rowIn;
    const target = wt + (<usize>p << 2);
    for (let j: i32 = 0; j < fanOut; j += 4) {
      const from = source + (<usize>j << 2);
      const a = v128.load(from);
      const b = v128.load(from + rowIn);
      const c = v128.load(from + 2 * rowIn);
      const d = v128.load(from + 3 * rowIn);
      const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
      const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const cd01 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
      const cd23 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
      const to = target + <usize>j * rowOut;
      v128.store(to, v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5));
      v128.store(to + rowOut, v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7));
      v128.store(to + 2 * rowOut, v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5));
      v128.store(to + 3 * rowOut, v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7));
    }
  }
}

/**
 * gb[j] = Σ_r Δ[r][j] over [rows][n], n a multiple of 4; added to gb unless `first`. The sums run
 * down the rows in registers, 8 vectors of columns at a time (then 4, then 1): each is a chain of
 * dependent additions, and 8 of them keep the adder busy.
 */
function columnSums(delta: usize, rows: i32, n: i32, gb: usize, first: bool): void {
  const bytes = <usize>n << 2;
  const end = delta + <usize>rows * bytes;
  let q: usize = 0;
  for (; q + 128 <= bytes; q += 128) {
    const g = gb + q;
    let s0 = first ? f32x4.splat(0) : v128.load(g);
    let s1 = first ? f32x4.splat(0) : v128.load(g, 16);
    let s2 = first ? f32x4.splat(0) : v128.load(g, 32);
    let s3 = first ? f32x4.splat(0) : v128.load(g, 48);
    let s4 = first ? f32x4.splat(0) : v128.load(g, 64);
    let s5 = first ? f32x4.splat(0) : v128.load(g, 80);
    let s6 = first ? f32x4.splat(0) : v128.load(g, 96);
    let s7 = first ? f32x4.splat(0) : v128.load(g, 112);
    for (let p = delta + q; p < end; p += bytes) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      s4 = f32x4.add(s4, v128.load(p, 64));
      s5 = f32x4.add(s5, v128.load(p, 80));
      s6 = f32x4.add(s6, v128.load(p, 96));
      s7 = f32x4.add(s7, v128.load(p, 112));
    }
    v128.store(g, s0);
    v128.store(g, s1, 16);
    v128.store(g, s2, 32);
    v128.store(g, s3, 48);
    v128.store(g, s4, 64);
    v128.store(g, s5, 80);
    v128.store(g, s6, 96);
    v128.store(g, s7, 112);
  }
  for (; q + 64 <= bytes; q += 64) {
    const g = gb + q;
    let s0 = first ? f32x4.splat(0) : v128.load(g);
    let s1 = first ? f32x4.splat(0) : v128.load(g, 16);
    let s2 = first ? f32x4.splat(0) : v128.load(g, 32);
    let s3 = first ? f32x4.splat(0) : v128.load(g, 48);
    for (let p = delta + q; p < end; p += bytes) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
    }
    v128.store(g, s0);
    v128.store(g, s1, 16);
    v128.store(g, s2, 32);
    v128.store(g, s3, 48);
  }
  for (; q < bytes; q += 16) {
    let s0 = first ? f32x4.splat(0) : v128.load(gb + q);
    for (let p = delta + q; p < end; p += bytes) s0 = f32x4.add(s0, v128.load(p));
    v128.store(gb + q, s0);
  }
}

/**
 * AdamW over count floats (a multiple of 4): moments from gradient g, then
 * θ ← θ − lr·(m̂ / (√v̂ + ε) + λθ) with the bias corrections passed as reciprocals.
 */
function adamW(p: usize, m: usize, v: usize, g: usize, count: i32, lr: f32, decay: f32, rc1: f32, rc2: f32): void {
  const bytes = <usize>count << 2;
  const beta1 = f32x4.splat(ADAM_BETA1);
  const beta2 = f32x4.splat(ADAM_BETA2);
  // 1 − β in f64 first: 1 − f32(0.999) is 1.3e-5 away from 0.001 in relative terms.
  const gain1 = f32x4.splat(<f32>(1 - <f64>0.9));
  const gain2 = f32x4.splat(<f32>(1 - <f64>0.999));
  const c1 = f32x4.splat(rc1);
  const c2 = f32x4.splat(rc2);
  const eps = f32x4.splat(ADAM_EPSILON);
  const rate = f32x4.splat(lr);
  const lambda = f32x4.splat(decay);
  for (let q: usize = 0; q < bytes; q += 16) {
    const gq = v128.load(g + q);
    const mq = madd(beta1, v128.load(m + q), f32x4.mul(gain1, gq));
    const vq = madd(beta2, v128.load(v + q), f32x4.mul(gain2, f32x4.mul(gq, gq)));
    v128.store(m + q, mq);
    v128.store(v + q, vq);
    const pq = v128.load(p + q);
    const step = f32x4.div(f32x4.mul(mq, c1), f32x4.add(f32x4.sqrt(f32x4.mul(vq, c2)), eps));
    v128.store(p + q, f32x4.sub(pq, f32x4.mul(rate, madd(lambda, pq, step))));
  }
}

/**
 * Backward pass over one tile of `count` rows (`rows` padded) of a member, after forwardMember
 * with slopes: adds the tile's gradient to the layers' gradient buffers (or writes it, for the
 * first tile). Δ·Wᵀ uses the transposed weights made before the first tile. A narrow output
 * layer's weight gradient accumulates transposed (see LAYER_TRANSPOSED); mlpTrainStep writes it
 * into the layer's gradient buffer after the last tile.
 */
function backwardTile(plan: usize, count: i32, rows: i32, batch: i32, first: bool): void {
  const layers = word(plan, PLAN_LAYERS);
  const narrow = narrowOutput(plan);
  let delta = addr(plan, PLAN_DELTA_A);
  let below = addr(plan, PLAN_DELTA_B);
  lossGradient(plan, addr(plan, PLAN_OUT), addr(plan, PLAN_Y0), delta, count, rows, batch);
  for (let l: i32 = layers - 1; l >= 0; l--) {
    const fanIn = layerWord(plan, l, LAYER_FAN_IN);
    const fanOut = layerWord(plan, l, LAYER_FAN_OUT);
    const gw = layerAddr(plan, l, LAYER_WEIGHT_GRADIENT);
    const gb = layerAddr(plan, l, LAYER_BIAS_GRADIENT);
    const input = l == 0 ? addr(plan, PLAN_X0) : layerAddr(plan, l - 1, LAYER_ACTIVATIONS);
    if (l == layers - 1 && narrow) {
      // Transposed, accumulating over the tiles in rows 2 and 3 of the layer's transposed weights:
      // padding rows, which neither forwardNarrow nor Δ·Wᵀ below (depth OUT_WIDTH) reads.
      const gt = layerAddr(plan, l, LAYER_TRANSPOSED) + (<usize>fanIn << 3);
      gradientNarrow(delta, input, fanIn, rows, word(plan, PLAN_OUT_WIDTH), gt, first);
    } else {
      // ∂L/∂W += inputᵀ·Δ: rows of the product are the fanIn inputs, the sum runs over the tile.
      gemm(input, 1, fanIn, delta, fanOut, gw, fanOut, fanIn, rows, fanOut, first ? 0 : gw, fanOut, 0);
    }
    columnSums(delta, rows, fanOut, gb, first);
    if (l > 0) {
      // Δ below = (Δ·Wᵀ) ⊙ act′. The sum skips the output layer's padding columns (their Δ is 0):
      // with one target that is 3 of every 4 terms.
      const wt = layerAddr(plan, l, LAYER_TRANSPOSED);
      const depth = l == layers - 1 ? word(plan, PLAN_OUT_WIDTH) : fanOut;
      gemm(delta, fanOut, 1, wt, fanIn, below, fanIn, rows, depth, fanIn, 0, 0, layerAddr(plan, l - 1, LAYER_SLOPES));
    }
    const swap = delta;
    delta = below;
    below = swap;
  }
}

/**
 * One AdamW step of every member: member k trains on pool rows idx[k·batch … k·batch + batch − 1].
 * poolX is [poolRows][inputs], poolY [poolRows][targets]; indices must be in range (the caller checks).
 * The batch runs through forward and backward passes in tiles of TILE_ROWS rows, so that a
 * tile's activations, slopes and errors stay in L1 however large the batch; the gradient
 * accumulates over the tiles, then AdamW updates the member.
 */
export function mlpTrainStep(plan: usize, poolX: usize, poolY: usize, idx: usize, batch: i32, lr: f32, decay: f32): void {
  const members = word(plan, PLAN_MEMBERS);
  const layers = word(plan, PLAN_LAYERS);
  const params = addr(plan, PLAN_PARAMS);
  const firstMoment = addr(plan, PLAN_FIRST_MOMENT);
  const secondMoment = addr(plan, PLAN_SECOND_MOMENT);
  const step = word(plan, PLAN_STEP) + 1;
  store<i32>(plan + (<usize>PLAN_STEP << 2), step);
  // In f64 from the exact constants, as the reference does.
  const rc1 = <f32>(1 / (1 - Math.pow(0.9, <f64>step)));
  const rc2 = <f32>(1 / (1 - Math.pow(0.999, <f64>step)));
  for (let k: i32 = 0; k < members; k++) {
    for (let l: i32 = 1; l < layers; l++) {
      const fanIn = layerWord(plan, l, LAYER_FAN_IN);
      const fanOut = layerWord(plan, l, LAYER_FAN_OUT);
      const w = params + (<usize>(layerWord(plan, l, LAYER_WEIGHTS) + k * fanIn * fanOut) << 2);
      transpose(w, fanIn, fanOut, layerAddr(plan, l, LAYER_TRANSPOSED));
    }
    const memberIdx = idx + (<usize>(k * batch) << 2);
    for (let start: i32 = 0; start < batch; start += TILE_ROWS) {
      const count = min(TILE_ROWS, batch - start);
      const rows = count + (count & 1);
      gatherRows(plan, poolX, poolY, memberIdx + (<usize>start << 2), count, rows);
      forwardMember(plan, k, rows, true);
      backwardTile(plan, count, rows, batch, start == 0);
    }
    if (narrowOutput(plan)) {
      const last = layers - 1;
      const fanIn = layerWord(plan, last, LAYER_FAN_IN);
      const gt = layerAddr(plan, last, LAYER_TRANSPOSED) + (<usize>fanIn << 3);
      untransposeNarrow(gt, fanIn, word(plan, PLAN_OUT_WIDTH), layerAddr(plan, last, LAYER_WEIGHT_GRADIENT));
    }
    for (let l: i32 = 0; l < layers; l++) {
      const fanIn = layerWord(plan, l, LAYER_FAN_IN);
      const fanOut = layerWord(plan, l, LAYER_FAN_OUT);
      const w = <usize>(layerWord(plan, l, LAYER_WEIGHTS) + k * fanIn * fanOut) << 2;
      const b = <usize>(layerWord(plan, l, LAYER_BIASES) + k * fanOut) << 2;
      const gw = layerAddr(plan, l, LAYER_WEIGHT_GRADIENT);
      const gb = layerAddr(plan, l, LAYER_BIAS_GRADIENT);
      adamW(params + w, firstMoment + w, secondMoment + w, gw, fanIn * fanOut, lr, decay, rc1, rc2);
      adamW(params + b, firstMoment + b, secondMoment + b, gb, fanOut, lr, 0, rc1, rc2);
    }
  }
}

/** Seed of member k's xorshift32 stream: murmur3's finalizer of (seed, k), never 0. */
function memberSeed(seed: u32, k: i32): u32 {
  let h: u32 = seed ^ (<u32>(k + 1) * 0x9e3779b9);
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h == 0 ? 0x6d2b79f5 : h;
}

/** Fisher–Yates shuffle of n i32s with xorshift32 state at rng; j = ⌊u·(i+1) / 2³²⌋. */
function shuffle(list: usize, n: i32, rng: usize): void {
  let s = load<u32>(rng);
  for (let i: i32 = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = <i32>((<u64>s * <u64>(i + 1)) >>> 32);
    const a = list + (<usize>i << 2);
    const b = list + (<usize>j << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
  store<u32>(rng, s);
}

/**
 * `steps` training steps in one call. Member k's rows are memberRows[k·n … k·n + n − 1] (shuffled
 * in place); every ⌈n / batch⌉ steps, starting with the first, each member's list is reshuffled
 * with its own xorshift32 stream (memberSeed(seed, firstMember + k)), and step s of an epoch trains on
 * list[(s·batch + r) mod n], r < batch — the order of fitEnsemble, reproducible in TS
 * (trainStepsBatchIndices in wasm-mlp.ts). idx (members × batch i32) and rng (members u32) are scratch.
 * firstMember is the index in the whole ensemble of this state's member 0, so that an ensemble
 * split across workers draws exactly the batches it would draw in one.
 */
export function mlpTrainSteps(
  plan: usize, poolX: usize, poolY: usize, memberRows: usize, n: i32, batch: i32, steps: i32, seed: u32,
  lr: f32, decay: f32, idx: usize, rng: usize, firstMember: i32,
): void {
  const members = word(plan, PLAN_MEMBERS);
  for (let k: i32 = 0; k < members; k++) store<u32>(rng + (<usize>k << 2), memberSeed(seed, firstMember + k));
  const stepsPerEpoch = (n + batch - 1) / batch;
  for (let s: i32 = 0; s < steps; s++) {
    const e = s % stepsPerEpoch;
    for (let k: i32 = 0; k < members; k++) {
      const list = memberRows + (<usize>(k * n) << 2);
      if (e == 0) shuffle(list, n, rng + (<usize>k << 2));
      // list[(e·batch + r) mod n], wrapping around by hand rather than dividing for every row.
      let at = (e * batch) % n;
      for (let r: i32 = 0; r < batch; r++) {
        store<i32>(idx + (<usize>(k * batch + r) << 2), load<i32>(list + (<usize>at << 2)));
        if (++at == n) at = 0;
      }
    }
    mlpTrainStep(plan, poolX, poolY, idx, batch, lr, decay);
  }
}

/**
 * Raw outputs of every member on `rows` rows of x ([rows][inputs]) into out
 * ([members][rows][outWidth]), in tiles of TILE_ROWS rows (the plan's scratch holds a tile).
 */
export function mlpPredict(plan: usize, x: usize, rows: i32, out: usize): void {
  const members = word(plan, PLAN_MEMBERS);
  const inputs = word(plan, PLAN_INPUTS);
  const inPad = word(plan, PLAN_IN_PAD);
  const width = word(plan, PLAN_OUT_WIDTH);
  const last = word(plan, PLAN_LAYERS) - 1;
  const outPad = layerWord(plan, last, LAYER_FAN_OUT);
  const x0 = addr(plan, PLAN_X0);
  const z = addr(plan, PLAN_OUT);
  const narrow = narrowOutput(plan);
  for (let k: i32 = 0; k < members; k++) {
    if (narrow) {
      const fanIn = layerWord(plan, last, LAYER_FAN_IN);
      const w = addr(plan, PLAN_PARAMS) + (<usize>(layerWord(plan, last, LAYER_WEIGHTS) + k * fanIn * outPad) << 2);
      transpose(w, fanIn, outPad, layerAddr(plan, last, LAYER_TRANSPOSED));
    }
    for (let start: i32 = 0; start < rows; start += TILE_ROWS) {
      const count = min(TILE_ROWS, rows - start);
      const padded = count + (count & 1);
      if (inPad != inputs || padded != count) zeroBytes(x0, <usize>(padded * inPad) << 2);
      if (inPad == inputs) {
        memory.copy(x0, x + (<usize>(start * inputs) << 2), <usize>(count * inputs) << 2);
      } else {
        for (let r: i32 = 0; r < count; r++) {
          copyFloats(x0 + (<usize>(r * inPad) << 2), x + (<usize>((start + r) * inputs) << 2), inputs);
        }
      }
      forwardMember(plan, k, padded, false);
      const target = out + (<usize>((k * rows + start) * width) << 2);
      if (outPad == width) {
        memory.copy(target, z, <usize>(count * width) << 2);
      } else {
        for (let r: i32 = 0; r < count; r++) {
          copyFloats(target + (<usize>(r * width) << 2), z + (<usize>(r * outPad) << 2), width);
        }
      }
    }
  }
}

/** softplus in float64, as mlp-reference.ts computes the Gaussian head's variance. */
function softplus64(z: f64): f64 {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The ensemble's summary of mlpPredict's outputs (out: [members][rows][outWidth]), in float64
 * ([rows][targets] each): the members' mean, their variance around it, and the mean of their
 * predicted noise variances (the Gaussian head's softplus + 1e-6, MIN_VARIANCE of mlp-reference.ts;
 * 0 with the mse loss).
 * Summed in member order, as summarizeMembers in mlp-reference.ts.
 */
export function mlpSummarize(plan: usize, out: usize, rows: i32, mean: usize, spread: usize, noise: usize): void {
  const members = word(plan, PLAN_MEMBERS);
  const targets = word(plan, PLAN_TARGETS);
  const width = word(plan, PLAN_OUT_WIDTH);
  const gaussian = word(plan, PLAN_LOSS) == 1;
  for (let i: i32 = 0; i < rows; i++) {
    for (let t: i32 = 0; t < targets; t++) {
      let sum: f64 = 0;
      let variance: f64 = 0;
      for (let k: i32 = 0; k < members; k++) {
        const at = out + (<usize>((k * rows + i) * width) << 2);
        sum += <f64>load<f32>(at + (<usize>t << 2));
        if (gaussian) variance += softplus64(<f64>load<f32>(at + (<usize>(targets + t) << 2))) + 1e-6;
      }
      const m = sum / <f64>members;
      let squares: f64 = 0;
      for (let k: i32 = 0; k < members; k++) {
        const d = <f64>load<f32>(out + (<usize>((k * rows + i) * width + t) << 2)) - m;
        squares += d * d;
      }
      const cell = <usize>(i * targets + t) << 3;
      store<f64>(mean + cell, m);
      store<f64>(spread + cell, squares / <f64>members);
      store<f64>(noise + cell, variance / <f64>members);
    }
  }
}

/** 1 in the relaxed-SIMD build (fused multiply-adds), 0 in the plain SIMD128 one. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Rows per tile of training and inference: the plan's scratch holds this many rows. */
export function mlpTileRows(): i32 {
  return TILE_ROWS;
}
