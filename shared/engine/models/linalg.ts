// Dense linear algebra for the models: Cholesky with jitter, triangular solves, the inverse from a
// Cholesky factor, and a one-sided Jacobi SVD. Square matrices are row-major n × n Float64Arrays;
// only the lower triangle of a symmetric matrix is read or written. Inner loops run along rows so
// that they touch contiguous memory, and dot products keep four accumulators so that the JIT can
// overlap the additions instead of waiting on one dependency chain.

/** Σ a[aFrom + k] · b[bFrom + k] for k < length. */
export function dot(a: Float64Array, aFrom: number, b: Float64Array, bFrom: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += a[aFrom + k] * b[bFrom + k];
    s1 += a[aFrom + k + 1] * b[bFrom + k + 1];
    s2 += a[aFrom + k + 2] * b[bFrom + k + 2];
    s3 += a[aFrom + k + 3] * b[bFrom + k + 3];
  }
  for (; k < length; k++) s0 += a[aFrom + k] * b[bFrom + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * Cholesky factor in place: the lower triangle of `a` (n × n, row-major) becomes L with
 * L Lᵀ = A; the strict upper triangle is zeroed. Returns false (leaving `a` partly overwritten)
 * when a pivot is not positive, i.e. A is not numerically positive definite.
 *
 * Rows go in pairs and, within them, columns in pairs: the four dot products of rows i, i+1 of L
 * with rows j, j+1 share their loads (4 loads per 4 multiply-adds instead of 8), which runs about
 * twice as fast in V8 as one dot product at a time.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    let j = 0;
    for (; j + 1 < i; j += 2) {
      const q0 = j * n;
      const q1 = q0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < j; k++) {
        const a0 = a[r0 + k];
        const a1 = a[r1 + k];
        const b0 = a[q0 + k];
        const b1 = a[q1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      const ljj = a[q0 + j];
      const l0j = (a[r0 + j] - s00) / ljj;
      const l1j = (a[r1 + j] - s10) / ljj;
      a[r0 + j] = l0j;
      a[r1 + j] = l1j;
      // Column j+1 also needs the k = j term, known only now.
      const lNext = a[q1 + j];
      const dNext = a[q1 + j + 1];
      a[r0 + j + 1] = (a[r0 + j + 1] - s01 - l0j * lNext) / dNext;
      a[r1 + j + 1] = (a[r1 + j + 1] - s11 - l1j * lNext) / dNext;
    }
    for (; j < i; j++) {
      const q0 = j * n;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < j; k++) {
        const b = a[q0 + k];
        s0 += a[r0 + k] * b;
        s1 += a[r1 + k] * b;
      }
      const ljj = a[q0 + j];
      a[r0 + j] = (a[r0 + j] - s0) / ljj;
      a[r1 + j] = (a[r1 + j] - s1) / ljj;
    }
    let d0 = 0;
    let c10 = 0;
    let d1 = 0;
    for (let k = 0; k < i; k++) {
      const a0 = a[r0 + k];
      const a1 = a[r1 + k];
      d0 += a0 * a0;
      c10 += a1 * a0;
      d1 += a1 * a1;
    }
    const p0 = a[r0 + i] - d0;
    if (!(p0 > 0) || !Number.isFinite(p0)) return false;
    const lii = Math.sqrt(p0);
    a[r0 + i] = lii;
    const l10 = (a[r1 + i] - c10) / lii;
    a[r1 + i] = l10;
    const p1 = a[r1 + i + 1] - d1 - l10 * l10;
    if (!(p1 > 0) || !Number.isFinite(p1)) return false;
    a[r1 + i + 1] = Math.sqrt(p1);
    a.fill(0, r0 + i + 1, r0 + n);
    a.fill(0, r1 + i + 2, r1 + n);
  }
  if (i < n) {
    const rowI = i * n;
    for (let j = 0; j < i; j++) {
      const rowJ = j * n;
      a[rowI + j] = (a[rowI + j] - dot(a, rowI, a, rowJ, j)) / a[rowJ + j];
    }
    const pivot = a[rowI + i] - dot(a, rowI, a, rowI, i);
    if (!(pivot > 0) || !Number.isFinite(pivot)) return false;
    a[rowI + i] = Math.sqrt(pivot);
  }
  return true;
}

export interface JitteredCholesky {
  /** Lower-triangular factor, row-major n × n. */
  readonly factor: Float64Array;
  /** The value added to the diagonal to make the factorization succeed (0 when none was needed). */
  readonly jitter: number;
}

export interface JitterOptions {
  /** First jitter tried, relative to the mean diagonal. */
  readonly initialRelativeJitter?: number;
  /** How many times the jitter is multiplied by ten before giving up. */
  readonly maxTries?: number;
  /** Reuse this buffer for the factor (length n²). */
  readonly out?: Float64Array;
}

/**
 * Factors a symmetric positive semi-definite matrix, adding jitter to the diagonal when rounding
 * makes it indefinite: first none, then initialRelativeJitter × mean diagonal, growing tenfold.
 * Jitter is the standard remedy for kernel matrices of near-duplicate points (Rasmussen &
 * Williams 2006, §A.4); it is reported so that callers can see how much was needed.
 */
export function choleskyWithJitter(a: Float64Array, n: number, options: JitterOptions = {}): JitteredCholesky {
  const { initialRelativeJitter = 1e-10, maxTries = 8 } = options;
  const factor = options.out ?? new Float64Array(n * n);
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += a[i * n + i];
  meanDiagonal = n > 0 ? Math.abs(meanDiagonal / n) : 0;
  if (!Number.isFinite(meanDiagonal)) throw new RangeError('Matrix has a non-finite diagonal');
  const scale = meanDiagonal > 0 ? meanDiagonal : 1;
  for (let attempt = 0; attempt <= maxTries; attempt++) {
    const jitter = attempt === 0 ? 0 : scale * initialRelativeJitter * 10 ** (attempt - 1);
    factor.set(a.subarray(0, n * n));
    if (jitter > 0) for (let i = 0; i < n; i++) factor[i * n + i] += jitter;
    if (choleskyInPlace(factor, n)) return { factor, jitter };
  }
  throw new RangeError('Matrix is not positive definite, even with jitter');
}

/** Solves L x = b in place (b becomes x); L lower-triangular row-major n × n. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) b[i] = (b[i] - dot(l, i * n, b, 0, i)) / l[i * n + i];
}

/** Solves Lᵀ x = b in place (b becomes x); L lower-triangular row-major n × n. */
export function solveUpperTransposedInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const xi = b[i] / l[i * n + i];
    b[i] = xi;
    // Column i of Lᵀ above the diagonal is row i of L left of it: subtract it as one contiguous axpy.
    const rowI = i * n;
    for (let k = 0; k < i; k++) b[k] -= l[rowI + k] * xi;
  }
}

/** Solves (L Lᵀ) x = b in place. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(l, n, b);
  solveUpperTransposedInPlace(l, n, b);
}

/**
 * Solves L V = B for m right-hand sides at once, in place: B is n × m row-major (row i holds the
 * i-th component of every right-hand side), so the update of each row is a contiguous axpy.
 */
export function solveLowerManyInPlace(l: Float64Array, n: number, b: Float64Array, m: number): void {
  for (let i = 0; i < n; i++) {
    const rowL = i * n;
    const rowB = i * m;
    for (let k = 0; k < i; k++) {
      const lik = l[rowL + k];
      if (lik === 0) continue;
      const rowK = k * m;
      for (let c = 0; c < m; c++) b[rowB + c] -= lik * b[rowK + c];
    }
    const inv = 1 / l[rowL + i];
    for (let c = 0; c < m; c++) b[rowB + c] *= inv;
  }
}

/**
 * Writes the lower triangle of (L Lᵀ)⁻¹ into `out` (n × n row-major; its upper triangle is zeroed)
 * and leaves L as it was. U = L⁻ᵀ is built in the unused upper triangle of `l`: row j of U is
 * column j of L⁻¹, the forward solve L x = e_j, so each entry is a dot product of a row of L with
 * the finished part of that row of U. Then (L Lᵀ)⁻¹_ij = Σ_{k ≥ i} U_ik U_jk (i ≥ j). Both phases
 * work on 2 × 2 blocks of rows, as the Cholesky does. About n³/3 multiply-adds in all.
 * `diagonal` (length n) is scratch space.
 */
export function inverseFromCholesky(
  l: Float64Array,
  n: number,
  out: Float64Array,
  diagonal: Float64Array = new Float64Array(n),
): void {
  for (let i = 0; i < n; i++) diagonal[i] = l[i * n + i];
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const u0 = j * n;
    const u1 = u0 + n;
    const j1 = j + 1;
    l[u0 + j] = 1 / diagonal[j];
    l[u1 + j1] = 1 / diagonal[j1];
    l[u0 + j1] = -(l[j1 * n + j] * l[u0 + j]) / diagonal[j1];
    let i = j1 + 1;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      let s00 = l[r0 + j] * l[u0 + j];
      let s10 = l[r1 + j] * l[u0 + j];
      let s01 = 0;
      let s11 = 0;
      for (let k = j1; k < i; k++) {
        const a0 = l[r0 + k];
        const a1 = l[r1 + k];
        const b0 = l[u0 + k];
        const b1 = l[u1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      const x0 = -s00 / diagonal[i];
      const x1 = -s01 / diagonal[i];
      l[u0 + i] = x0;
      l[u1 + i] = x1;
      const li = l[r1 + i];
      l[u0 + i + 1] = -(s10 + li * x0) / diagonal[i + 1];
      l[u1 + i + 1] = -(s11 + li * x1) / diagonal[i + 1];
    }
    if (i < n) {
      const r0 = i * n;
      let s0 = l[r0 + j] * l[u0 + j];
      let s1 = 0;
      for (let k = j1; k < i; k++) {
        const a0 = l[r0 + k];
        s0 += a0 * l[u0 + k];
        s1 += a0 * l[u1 + k];
      }
      l[u0 + i] = -s0 / diagonal[i];
      l[u1 + i] = -s1 / diagonal[i];
    }
  }
  if (j < n) l[j * n + j] = 1 / diagonal[j];

  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    const i1 = i + 1;
    let jj = 0;
    for (; jj + 1 < i; jj += 2) {
      const q0 = jj * n;
      const q1 = q0 + n;
      // Row i of U starts at column i, row i+1 at i+1: the k = i term belongs to row i only.
      const ui = l[r0 + i];
      let s00 = ui * l[q0 + i];
      let s01 = ui * l[q1 + i];
      let s10 = 0;
      let s11 = 0;
      for (let k = i1; k < n; k++) {
        const a0 = l[r0 + k];
        const a1 = l[r1 + k];
        const b0 = l[q0 + k];
        const b1 = l[q1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      out[r0 + jj] = s00;
      out[r0 + jj + 1] = s01;
      out[r1 + jj] = s10;
      out[r1 + jj + 1] = s11;
    }
    for (; jj < i; jj++) {
      const q0 = jj * n;
      out[r0 + jj] = dot(l, r0 + i, l, q0 + i, n - i);
      out[r1 + jj] = dot(l, r1 + i1, l, q0 + i1, n - i1);
    }
    out[r0 + i] = dot(l, r0 + i, l, r0 + i, n - i);
    out[r1 + i] = dot(l, r1 + i1, l, r0 + i1, n - i1);
    out[r1 + i1] = dot(l, r1 + i1, l, r1 + i1, n - i1);
    out.fill(0, r0 + i + 1, r0 + n);
    out.fill(0, r1 + i1 + 1, r1 + n);
  }
  if (i < n) {
    const r0 = i * n;
    for (let jj = 0; jj <= i; jj++) out[r0 + jj] = dot(l, r0 + i, l, jj * n + i, n - i);
  }
  for (let k = 0; k < n; k++) {
    l[k * n + k] = diagonal[k];
    l.fill(0, k * n + k + 1, k * n + n);
  }
}

/** Σ log L_ii: half the log-determinant of L Lᵀ. */
export function halfLogDeterminant(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return s;
}

export interface ThinSvd {
  /** Left singular vectors, rows × rank, row-major. */
  readonly u: Float64Array;
  /** Singular values, descending, all > 0. */
  readonly s: Float64Array;
  /** Right singular vectors, cols × rank, row-major. */
  readonly v: Float64Array;
  readonly rank: number;
}

/**
 * Thin SVD A = U diag(s) Vᵀ of a rows × cols row-major matrix by one-sided Jacobi rotations
 * (Hestenes 1958; Demmel & Veselić 1992): it orthogonalizes the columns of A directly, so small
 * singular values keep full relative accuracy, unlike an eigen-decomposition of AᵀA that squares
 * the condition number. When cols > rows it works on Aᵀ. Singular values below
 * rankTolerance × largest are dropped.
 */
export function thinSvd(a: Float64Array, rows: number, cols: number, rankTolerance = 1e-12): ThinSvd {
  if (cols > rows) {
    const t = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
    const svd = thinSvd(t, cols, rows, rankTolerance);
    return { u: svd.v, s: svd.s, v: svd.u, rank: svd.rank };
  }
  const m = rows;
  const n = cols;
  // Columns stored contiguously: w[j * m + i] = A_ij; v[j * n + k] = V_kj (column j of V).
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
  const vCols = new Float64Array(n * n);
  for (let j = 0; j < n; j++) vCols[j * n + j] = 1;
  const eps = 1e-15;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = dot(w, p * m, w, p * m, m);
        const beta = dot(w, q * m, w, q * m, m);
        const gamma = dot(w, p * m, w, q * m, m);
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, p * m, q * m, m, c, s);
        rotate(vCols, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => Math.sqrt(dot(w, j * m, w, j * m, m)));
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const largest = norms[order[0]] ?? 0;
  const kept = order.filter((j) => norms[j] > rankTolerance * largest && norms[j] > 0);
  const rank = kept.length;
  const u = new Float64Array(m * rank);
  const v = new Float64Array(n * rank);
  const s = new Float64Array(rank);
  kept.forEach((j, r) => {
    s[r] = norms[j];
    for (let i = 0; i < m; i++) u[i * rank + r] = w[j * m + i] / norms[j];
    for (let k = 0; k < n; k++) v[k * rank + r] = vCols[j * n + k];
  });
  return { u, s, v, rank };
}

function rotate(x: Float64Array, p: number, q: number, length: number, c: number, s: number): void {
  for (let i = 0; i < length; i++) {
    const xp = x[p + i];
    const xq = x[q + i];
    x[p + i] = c * xp - s * xq;
    x[q + i] = s * xp + c * xq;
  }
}
