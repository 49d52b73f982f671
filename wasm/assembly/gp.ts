// Gaussian-process linear algebra in float64 (SIMD128 f64x2): the covariance of an ARD RBF or
// Matérn 5/2 kernel (plus noise and an optional linear kernel), a blocked Cholesky, triangular
// solves, the inverse from the factor, and the log marginal likelihood with its gradient in one call.
//
// Layout: square matrices are row-major N × N float64 with N a multiple of 4, so that every row
// starts on a 32-byte boundary and 4 × 2 tiles never run off the edge. A problem of n < N rows is
// padded with identity rows and columns: the factor, the inverse and every solve then decouple the
// padding from the real rows, and nothing below needs an edge case. Callers own the memory and pass
// byte offsets (the module is built with --runtime stub).
//
// Every O(n³) kernel is a sequence of 4 × 2 tiles of dot products along contiguous rows: 4 rows of
// the block being finished (they stay in L1) against 2 streaming rows, 8 f64x2 accumulators, 6 loads
// per 8 multiply-adds; V8 gives wasm about 15 vector registers, and 4 × 2 fits without spills.

/** a·b + c: fused in the relaxed-SIMD build. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f64x2.relaxed_madd(a, b, c);
  } else {
    return f64x2.add(f64x2.mul(a, b), c);
  }
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// The 8 sums of the last tile (row r of the 4, row c of the 2).
let t00: f64 = 0, t01: f64 = 0, t10: f64 = 0, t11: f64 = 0;
let t20: f64 = 0, t21: f64 = 0, t30: f64 = 0, t31: f64 = 0;

/**
 * t_rc = Σ a_r[k] · b_c[k] over `bytes` bytes (a multiple of 16), where a_r = a + r · stride and
 * the four a rows and two b rows already point at the first k.
 */
@inline function tile4x2(a: usize, stride: usize, b0: usize, b1: usize, bytes: usize): void {
  let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
  let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
  const a1 = a + stride;
  const a2 = a1 + stride;
  const a3 = a2 + stride;
  for (let k: usize = 0; k < bytes; k += 16) {
    const x0 = v128.load(b0 + k);
    const x1 = v128.load(b1 + k);
    const r0 = v128.load(a + k);
    s00 = madd(r0, x0, s00);
    s01 = madd(r0, x1, s01);
    const r1 = v128.load(a1 + k);
    s10 = madd(r1, x0, s10);
    s11 = madd(r1, x1, s11);
    const r2 = v128.load(a2 + k);
    s20 = madd(r2, x0, s20);
    s21 = madd(r2, x1, s21);
    const r3 = v128.load(a3 + k);
    s30 = madd(r3, x0, s30);
    s31 = madd(r3, x1, s31);
  }
  t00 = hsum(s00); t01 = hsum(s01); t10 = hsum(s10); t11 = hsum(s11);
  t20 = hsum(s20); t21 = hsum(s21); t30 = hsum(s30); t31 = hsum(s31);
}

@inline function tileValue(r: i32, c: i32): f64 {
  if (r == 0) return c == 0 ? t00 : t01;
  if (r == 1) return c == 0 ? t10 : t11;
  if (r == 2) return c == 0 ? t20 : t21;
  return c == 0 ? t30 : t31;
}

/** Σ a[k] · b[k] over `count` doubles (any count). */
function dotF64(a: usize, b: usize, count: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const bytes = <usize>count << 3;
  const pairs = bytes & ~31;
  let k: usize = 0;
  for (; k < pairs; k += 32) {
    s0 = madd(v128.load(a + k), v128.load(b + k), s0);
    s1 = madd(v128.load(a + k, 16), v128.load(b + k, 16), s1);
  }
  if (k + 16 <= bytes) {
    s0 = madd(v128.load(a + k), v128.load(b + k), s0);
    k += 16;
  }
  let s = hsum(f64x2.add(s0, s1));
  if (k < bytes) s += load<f64>(a + k) * load<f64>(b + k);
  return s;
}

@inline function at(p: usize, row: i32, col: i32, n: i32): usize {
  return p + ((<usize>row * <usize>n + <usize>col) << 3);
}

/**
 * Rows finished together: their 4-row groups share each pair of finished rows they are reduced
 * against, so that pair is read from memory once per 16 rows (then from L1), not once per 4.
 */
const BLOCK_ROWS = 16;

/**
 * Cholesky factor in place (N × N, N a multiple of 4): the lower triangle of `a` becomes L with
 * L Lᵀ = A and the strict upper triangle is zeroed. Returns 0 when a pivot is not positive (A not
 * numerically positive definite), 1 on success. Left-looking by blocks of rows: each 4 × 2 tile is
 * the dot products of 4 rows with 2 finished rows over the columns both have, then a 2-column
 * triangular fix-up; each group's 4 × 4 diagonal block last.
 */
export function gpCholesky(a: usize, n: i32): i32 {
  const stride = <usize>n << 3;
  for (let b0 = 0; b0 < n; b0 += BLOCK_ROWS) {
    const b1 = min(b0 + BLOCK_ROWS, n);
    for (let j0 = 0; j0 < b0; j0 += 2) {
      for (let i0 = b0; i0 < b1; i0 += 4) choleskyTile(a, stride, i0, j0);
    }
    for (let i0 = b0; i0 < b1; i0 += 4) {
      for (let j0 = b0; j0 < i0; j0 += 2) choleskyTile(a, stride, i0, j0);
      if (!choleskyDiagonal(a, stride, i0, n)) return 0;
    }
  }
  return 1;
}

/** Columns j0 and j0 + 1 of rows i0 … i0 + 3, once every earlier column of them is final. */
@inline function choleskyTile(a: usize, stride: usize, i0: i32, j0: i32): void {
  const ri = a + <usize>i0 * stride;
  const rj = a + <usize>j0 * stride;
  const col = <usize>j0 << 3;
  tile4x2(ri, stride, rj, rj + stride, col);
  const ljj = load<f64>(rj + col);
  const lNext = load<f64>(rj + stride + col);
  const dNext = load<f64>(rj + stride + col + 8);
  for (let r = 0; r < 4; r++) {
    const p = ri + <usize>r * stride + col;
    const v0 = (load<f64>(p) - tileValue(r, 0)) / ljj;
    store<f64>(p, v0);
    store<f64>(p + 8, (load<f64>(p + 8) - tileValue(r, 1) - v0 * lNext) / dNext);
  }
}

/** The 4 × 4 diagonal block of rows i0 … i0 + 3, and zeros right of it; 0 when a pivot fails. */
function choleskyDiagonal(a: usize, stride: usize, i0: i32, n: i32): i32 {
  const ri = a + <usize>i0 * stride;
  for (let r = 0; r < 4; r++) {
    const row = ri + <usize>r * stride;
    const i = i0 + r;
    for (let c = 0; c < r; c++) {
      const other = ri + <usize>c * stride;
      const j = i0 + c;
      const v = (load<f64>(row + (<usize>j << 3)) - dotF64(row, other, j)) / load<f64>(other + (<usize>j << 3));
      store<f64>(row + (<usize>j << 3), v);
    }
    const pivot = load<f64>(row + (<usize>i << 3)) - dotF64(row, row, i);
    if (!(pivot > 0) || !isFinite<f64>(pivot)) return 0;
    store<f64>(row + (<usize>i << 3), Math.sqrt(pivot));
    memory.fill(row + (<usize>(i + 1) << 3), 0, <usize>(n - i - 1) << 3);
  }
  return 1;
}

/** Solves L x = b in place (b, length N, becomes x). */
export function gpSolveLower(l: usize, n: i32, b: usize): void {
  for (let i = 0; i < n; i++) {
    const row = at(l, i, 0, n);
    const p = b + (<usize>i << 3);
    store<f64>(p, (load<f64>(p) - dotF64(row, b, i)) / load<f64>(row + (<usize>i << 3)));
  }
}

/** Solves Lᵀ x = b in place: column i of Lᵀ above the diagonal is row i of L, one axpy per row. */
export function gpSolveUpperTransposed(l: usize, n: i32, b: usize): void {
  for (let i = n - 1; i >= 0; i--) {
    const row = at(l, i, 0, n);
    const p = b + (<usize>i << 3);
    const xi = load<f64>(p) / load<f64>(row + (<usize>i << 3));
    store<f64>(p, xi);
    const x = f64x2.splat(xi);
    const bytes = <usize>i << 3;
    let k: usize = 0;
    for (; k + 16 <= bytes; k += 16) v128.store(b + k, f64x2.sub(v128.load(b + k), f64x2.mul(v128.load(row + k), x)));
    if (k < bytes) store<f64>(b + k, load<f64>(b + k) - load<f64>(row + k) * xi);
  }
}

/**
 * Solves L V = B in place for m right-hand sides: B is N × m row-major (row i holds component i of
 * every right-hand side). Columns go 8 at a time (one cache line of each row of B), so the partial
 * row of V stays in 4 registers while the rows above stream past.
 */
export function gpSolveLowerMany(l: usize, n: i32, b: usize, m: i32): void {
  const rowBytes = <usize>m << 3;
  const wide = m & ~7;
  for (let i = 0; i < n; i++) {
    const lRow = at(l, i, 0, n);
    const bRow = b + <usize>i * rowBytes;
    const inv = 1 / load<f64>(lRow + (<usize>i << 3));
    const scale = f64x2.splat(inv);
    let c = 0;
    for (; c < wide; c += 8) {
      const col = <usize>c << 3;
      let v0 = v128.load(bRow + col);
      let v1 = v128.load(bRow + col, 16);
      let v2 = v128.load(bRow + col, 32);
      let v3 = v128.load(bRow + col, 48);
      let kRow = b + col;
      for (let k = 0; k < i; k++) {
        const lik = f64x2.splat(-load<f64>(lRow + (<usize>k << 3)));
        v0 = madd(lik, v128.load(kRow), v0);
        v1 = madd(lik, v128.load(kRow, 16), v1);
        v2 = madd(lik, v128.load(kRow, 32), v2);
        v3 = madd(lik, v128.load(kRow, 48), v3);
        kRow += rowBytes;
      }
      v128.store(bRow + col, f64x2.mul(v0, scale));
      v128.store(bRow + col, f64x2.mul(v1, scale), 16);
      v128.store(bRow + col, f64x2.mul(v2, scale), 32);
      v128.store(bRow + col, f64x2.mul(v3, scale), 48);
    }
    for (; c < m; c++) {
      const col = <usize>c << 3;
      let s = load<f64>(bRow + col);
      for (let k = 0; k < i; k++) s -= load<f64>(lRow + (<usize>k << 3)) * load<f64>(b + <usize>k * rowBytes + col);
      store<f64>(bRow + col, s * inv);
    }
  }
}

/**
 * Writes the lower triangle of (L Lᵀ)⁻¹ into `out` (N × N; its strict upper triangle is left
 * holding L⁻ᵀ, which no caller reads). First U = L⁻ᵀ in `out`: row j of U is column j of L⁻¹,
 * U_ji = −(Σ_{j ≤ k < i} L_ik U_jk) / L_ii, 4 rows of U against 2 rows of L per tile. Then
 * (L Lᵀ)⁻¹_ij = Σ_{k ≥ i} U_ik U_jk for i ≥ j, in place: a group of 4 rows reads U only from its
 * own first column on, and writes only columns before it (the diagonal 4 × 4 after its reads).
 * Both phases take rows in blocks of 16 as the Cholesky does.
 */
export function gpInverseFromFactor(l: usize, out: usize, n: i32): void {
  const stride = <usize>n << 3;
  for (let b0 = 0; b0 < n; b0 += BLOCK_ROWS) {
    const b1 = min(b0 + BLOCK_ROWS, n);
    for (let j0 = b0; j0 < b1; j0 += 4) {
      inverseDiagonal(l, out, stride, j0);
      for (let i0 = j0 + 4; i0 < b1; i0 += 2) inverseTile(l, out, stride, j0, i0);
    }
    for (let i0 = b1; i0 < n; i0 += 2) {
      for (let j0 = b0; j0 < b1; j0 += 4) inverseTile(l, out, stride, j0, i0);
    }
  }
  for (let b0 = 0; b0 < n; b0 += BLOCK_ROWS) {
    const b1 = min(b0 + BLOCK_ROWS, n);
    for (let j0 = 0; j0 < b0; j0 += 2) {
      for (let i0 = b0; i0 < b1; i0 += 4) productTile(out, stride, n, i0, j0);
    }
    for (let i0 = b0; i0 < b1; i0 += 4) {
      for (let j0 = b0; j0 < i0; j0 += 2) productTile(out, stride, n, i0, j0);
      productDiagonal(out, stride, n, i0);
    }
  }
}

/** Rows j0 … j0 + 3 of U: zeros left of the diagonal, and columns j0 … j0 + 3. */
function inverseDiagonal(l: usize, out: usize, stride: usize, j0: i32): void {
  const n = <i32>(stride >> 3);
  for (let r = 0; r < 4; r++) {
    const row = out + <usize>(j0 + r) * stride;
    const j = j0 + r;
    memory.fill(row, 0, <usize>j << 3);
    store<f64>(row + (<usize>j << 3), 1 / load<f64>(at(l, j, j, n)));
    for (let i = j + 1; i < j0 + 4; i++) {
      const lRow = at(l, i, 0, n);
      let s: f64 = 0;
      for (let k = j; k < i; k++) s += load<f64>(lRow + (<usize>k << 3)) * load<f64>(row + (<usize>k << 3));
      store<f64>(row + (<usize>i << 3), -s / load<f64>(lRow + (<usize>i << 3)));
    }
  }
}

/** Columns i0 and i0 + 1 of rows j0 … j0 + 3 of U, once their columns before i0 are final. */
@inline function inverseTile(l: usize, out: usize, stride: usize, j0: i32, i0: i32): void {
  const uj = out + <usize>j0 * stride;
  const li = l + <usize>i0 * stride;
  const from = <usize>j0 << 3;
  tile4x2(uj + from, stride, li + from, li + stride + from, <usize>(i0 - j0) << 3);
  const col = <usize>i0 << 3;
  const dii = load<f64>(li + col);
  const lNext = load<f64>(li + stride + col);
  const dNext = load<f64>(li + stride + col + 8);
  for (let r = 0; r < 4; r++) {
    const p = uj + <usize>r * stride + col;
    const x0 = -tileValue(r, 0) / dii;
    store<f64>(p, x0);
    store<f64>(p + 8, -(tileValue(r, 1) + lNext * x0) / dNext);
  }
}

/** (U Uᵀ) at rows i0 … i0 + 3, columns j0 and j0 + 1 (j0 < i0), over k ≥ i0. */
@inline function productTile(out: usize, stride: usize, n: i32, i0: i32, j0: i32): void {
  const ui = out + <usize>i0 * stride;
  const uj = out + <usize>j0 * stride;
  const from = <usize>i0 << 3;
  tile4x2(ui + from, stride, uj + from, uj + stride + from, <usize>(n - i0) << 3);
  const col = <usize>j0 << 3;
  for (let r = 0; r < 4; r++) {
    const p = ui + <usize>r * stride + col;
    store<f64>(p, tileValue(r, 0));
    store<f64>(p + 8, tileValue(r, 1));
  }
}

/** The diagonal 4 × 4 block of U Uᵀ at rows i0 … i0 + 3: both tiles read it, so store after both. */
function productDiagonal(out: usize, stride: usize, n: i32, i0: i32): void {
  const ui = out + <usize>i0 * stride;
  const from = <usize>i0 << 3;
  const bytes = <usize>(n - i0) << 3;
  tile4x2(ui + from, stride, ui + from, ui + stride + from, bytes);
  const d00 = t00, d10 = t10, d11 = t11, d20 = t20, d21 = t21, d30 = t30, d31 = t31;
  tile4x2(ui + from, stride, ui + 2 * stride + from, ui + 3 * stride + from, bytes);
  const r0 = ui + from;
  const r1 = r0 + stride;
  const r2 = r1 + stride;
  const r3 = r2 + stride;
  store<f64>(r0, d00);
  store<f64>(r1, d10);
  store<f64>(r1 + 8, d11);
  store<f64>(r2, d20);
  store<f64>(r2 + 8, d21);
  store<f64>(r2 + 16, t20);
  store<f64>(r3, d30);
  store<f64>(r3 + 8, d31);
  store<f64>(r3 + 16, t30);
  store<f64>(r3 + 24, t31);
}

const SQRT5: f64 = 2.23606797749979;
const LOG_2PI: f64 = 1.8378770664093453;
const KIND_MATERN52 = 1;

/**
 * The covariance of n rows of x (n × dp row-major, dp = d rounded up to even, zero-padded) into
 * `k` (N × N): lower triangle and diagonal K = σ_f² k(r) + σ_lin² x·x' (+ σ_n² and `jitter` on the
 * diagonal), zeros above, identity rows and columns past n. When `e` is not 0, its strict lower
 * triangle receives the exponential the gradient needs again (e^{−r²/2} for RBF, e^{−√5 r} for
 * Matérn 5/2), so the gradient pass computes no exponential; row-major like K, so that neither pass
 * walks down columns. `xs` (n × dp) receives the inputs divided by their length-scales.
 * θ = [log ℓ (d, or 1 without ARD), log σ_f², log σ_n², log σ_lin² (with linear)].
 */
export function gpCovariance(
  x: usize, n: i32, d: i32, theta: usize, kind: i32, ard: i32, linear: i32, k: usize, e: usize, xs: usize,
  size: i32, jitter: f64,
): void {
  const dp = (d + 1) & ~1;
  const rowBytes = <usize>dp << 3;
  const scales = ard ? d : 1;
  const signal = Math.exp(load<f64>(theta + (<usize>scales << 3)));
  const noise = Math.exp(load<f64>(theta + (<usize>(scales + 1) << 3)));
  const linearVariance = linear ? Math.exp(load<f64>(theta + (<usize>(scales + 2) << 3))) : 0;
  for (let c = 0; c < dp; c++) {
    const inv = c < d ? Math.exp(-load<f64>(theta + (<usize>(ard ? c : 0) << 3))) : 0;
    for (let i = 0; i < n; i++) {
      const off = <usize>i * rowBytes + (<usize>c << 3);
      store<f64>(xs + off, load<f64>(x + off) * inv);
    }
  }
  const stride = <usize>size << 3;
  for (let i = 0; i < n; i++) {
    const row = k + <usize>i * stride;
    const eRow = e + <usize>i * stride;
    const xi = xs + <usize>i * rowBytes;
    for (let j = 0; j < i; j++) {
      const xj = xs + <usize>j * rowBytes;
      let acc = f64x2.splat(0);
      for (let c: usize = 0; c < rowBytes; c += 16) {
        const t = f64x2.sub(v128.load(xi + c), v128.load(xj + c));
        acc = madd(t, t, acc);
      }
      const r2 = hsum(acc);
      let unit: f64;
      let exponential: f64;
      if (kind == KIND_MATERN52) {
        const r = Math.sqrt(r2);
        exponential = Math.exp(-SQRT5 * r);
        unit = (1 + SQRT5 * r + (5.0 / 3.0) * r2) * exponential;
      } else {
        exponential = Math.exp(-0.5 * r2);
        unit = exponential;
      }
      let v = signal * unit;
      if (linear) v += linearVariance * dotF64(x + <usize>i * rowBytes, x + <usize>j * rowBytes, dp);
      store<f64>(row + (<usize>j << 3), v);
      if (e) store<f64>(eRow + (<usize>j << 3), exponential);
    }
    let diagonal = signal + noise;
    if (linear) diagonal += linearVariance * dotF64(x + <usize>i * rowBytes, x + <usize>i * rowBytes, dp);
    store<f64>(row + (<usize>i << 3), diagonal + jitter);
    memory.fill(row + (<usize>(i + 1) << 3), 0, <usize>(size - i - 1) << 3);
  }
  for (let i = n; i < size; i++) {
    const row = k + <usize>i * stride;
    memory.fill(row, 0, stride);
    store<f64>(row + (<usize>i << 3), 1);
  }
}

/**
 * −log p(y | X, θ) for the GP of gpCovariance, with the same jitter schedule as linalg.ts
 * choleskyWithJitter (none, then 1e-10 × mean diagonal, growing tenfold, 8 tries). Returns NaN when
 * even that fails (each retry builds K afresh). Writes α = K⁻¹ y (length N; y zero-padded to N)
 * and, at out[0], the jitter used. When `gradient` is not 0, writes ∂(−log p)/∂θ there:
 * ½ tr((ααᵀ − K⁻¹) ∂K/∂θ) summed over the lower triangle, as gp.ts negativeLogLikelihood does;
 * out[2 …] holds dp doubles of scratch. Buffers: e (the exponentials), l, inv are N × N; xs is n × dp.
 */
export function gpNegativeLogLikelihood(
  x: usize, y: usize, n: i32, d: i32, theta: usize, kind: i32, ard: i32, linear: i32,
  e: usize, l: usize, inv: usize, alpha: usize, xs: usize, size: i32, gradient: usize, out: usize,
): f64 {
  gpCovariance(x, n, d, theta, kind, ard, linear, l, e, xs, size, 0);
  const stride = <usize>size << 3;
  let meanDiagonal: f64 = 0;
  for (let i = 0; i < n; i++) meanDiagonal += load<f64>(l + <usize>i * stride + (<usize>i << 3));
  meanDiagonal = Math.abs(meanDiagonal / n);
  if (!isFinite<f64>(meanDiagonal)) return NaN;
  const scale = meanDiagonal > 0 ? meanDiagonal : 1;
  let factored = gpCholesky(l, size);
  let jitter: f64 = 0;
  for (let attempt = 1; attempt <= 8 && !factored; attempt++) {
    jitter = scale * 1e-10 * Math.pow(10, attempt - 1);
    gpCovariance(x, n, d, theta, kind, ard, linear, l, 0, xs, size, jitter);
    factored = gpCholesky(l, size);
  }
  if (!factored) return NaN;
  store<f64>(out, jitter);
  memory.copy(alpha, y, stride);
  gpSolveLower(l, size, alpha);
  gpSolveUpperTransposed(l, size, alpha);
  let fit: f64 = 0;
  let halfLogDet: f64 = 0;
  for (let i = 0; i < n; i++) {
    fit += load<f64>(y + (<usize>i << 3)) * load<f64>(alpha + (<usize>i << 3));
    halfLogDet += Math.log(load<f64>(l + <usize>i * stride + (<usize>i << 3)));
  }
  const nll = 0.5 * fit + halfLogDet + 0.5 * <f64>n * LOG_2PI;
  if (gradient == 0) return nll;

  gpInverseFromFactor(l, inv, size);
  const dp = (d + 1) & ~1;
  const rowBytes = <usize>dp << 3;
  const scales = ard ? d : 1;
  const signal = Math.exp(load<f64>(theta + (<usize>scales << 3)));
  const noise = Math.exp(load<f64>(theta + (<usize>(scales + 1) << 3)));
  const linearVariance = linear ? Math.exp(load<f64>(theta + (<usize>(scales + 2) << 3))) : 0;
  const perInput = out + 16;
  memory.fill(perInput, 0, rowBytes);
  let signalTerm: f64 = 0;
  let linearTerm: f64 = 0;
  let diagonalW: f64 = 0;
  let sharedScale: f64 = 0;
  for (let i = 0; i < n; i++) {
    const ai = load<f64>(alpha + (<usize>i << 3));
    const invRow = inv + <usize>i * stride;
    const eRow = e + <usize>i * stride;
    const xi = xs + <usize>i * rowBytes;
    for (let j = 0; j < i; j++) {
      const w = ai * load<f64>(alpha + (<usize>j << 3)) - load<f64>(invRow + (<usize>j << 3));
      const exponential = load<f64>(eRow + (<usize>j << 3));
      const xj = xs + <usize>j * rowBytes;
      let unit: f64;
      let factor: f64;
      if (kind == KIND_MATERN52 || !ard) {
        let acc = f64x2.splat(0);
        for (let c: usize = 0; c < rowBytes; c += 16) {
          const t = f64x2.sub(v128.load(xi + c), v128.load(xj + c));
          acc = madd(t, t, acc);
        }
        const r2 = hsum(acc);
        if (kind == KIND_MATERN52) {
          const r = Math.sqrt(r2);
          unit = (1 + SQRT5 * r + (5.0 / 3.0) * r2) * exponential;
          factor = (5.0 / 3.0) * (1 + SQRT5 * r) * exponential;
        } else {
          unit = exponential;
          factor = exponential;
        }
        if (!ard) sharedScale += w * signal * factor * r2;
      } else {
        unit = exponential;
        factor = exponential;
      }
      signalTerm += w * unit;
      if (linear) linearTerm += w * dotF64(x + <usize>i * rowBytes, x + <usize>j * rowBytes, dp);
      if (ard) {
        const weight = f64x2.splat(w * signal * factor);
        for (let c: usize = 0; c < rowBytes; c += 16) {
          const t = f64x2.sub(v128.load(xi + c), v128.load(xj + c));
          v128.store(perInput + c, madd(weight, f64x2.mul(t, t), v128.load(perInput + c)));
        }
      }
    }
    const wii = ai * ai - load<f64>(invRow + (<usize>i << 3));
    diagonalW += wii;
    if (linear) linearTerm += 0.5 * wii * dotF64(x + <usize>i * rowBytes, x + <usize>i * rowBytes, dp);
  }
  if (ard) {
    for (let c = 0; c < d; c++) store<f64>(gradient + (<usize>c << 3), -load<f64>(perInput + (<usize>c << 3)));
  } else {
    store<f64>(gradient, -sharedScale);
  }
  store<f64>(gradient + (<usize>scales << 3), -signal * (signalTerm + 0.5 * diagonalW));
  store<f64>(gradient + (<usize>(scales + 1) << 3), -0.5 * diagonalW * noise);
  if (linear) store<f64>(gradient + (<usize>(scales + 2) << 3), -linearVariance * linearTerm);
  return nll;
}
