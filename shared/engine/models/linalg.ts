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
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j < i; j++) {
      const rowJ = j * n;
      a[rowI + j] = (a[rowI + j] - dot(a, rowI, a, rowJ, j)) / a[rowJ + j];
    }
    const pivot = a[rowI + i] - dot(a, rowI, a, rowI, i);
    if (!(pivot > 0) || !Number.isFinite(pivot)) return false;
    a[rowI + i] = Math.sqrt(pivot);
    a.fill(0, rowI + i + 1, rowI + n);
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
 * and leaves L as it was. U = L⁻ᵀ is built in the unused upper triangle of `l`, one row at a time:
 * row j of U is column j of L⁻¹, the forward solve L x = e_j, so each entry is a contiguous dot
 * product of a row of L with the finished part of that row of U. Then (L Lᵀ)⁻¹_ij = Σ_{k ≥ i} U_ik U_jk
 * (i ≥ j), again contiguous dot products. About n³/3 multiply-adds in all, at dot-product speed.
 * `diagonal` (length n) is scratch space.
 */
export function inverseFromCholesky(
  l: Float64Array,
  n: number,
  out: Float64Array,
  diagonal: Float64Array = new Float64Array(n),
): void {
  for (let i = 0; i < n; i++) diagonal[i] = l[i * n + i];
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    l[rowJ + j] = 1 / diagonal[j];
    for (let i = j + 1; i < n; i++) {
      l[rowJ + i] = -dot(l, i * n + j, l, rowJ + j, i - j) / diagonal[i];
    }
  }
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) out[rowI + j] = dot(l, rowI + i, l, j * n + i, n - i);
    out.fill(0, rowI + i + 1, rowI + n);
  }
  for (let i = 0; i < n; i++) {
    l[i * n + i] = diagonal[i];
    l.fill(0, i * n + i + 1, i * n + n);
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
