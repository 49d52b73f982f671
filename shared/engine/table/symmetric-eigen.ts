// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: slower than
// Householder + QL for large p, but simple and accurate to the last digits for the p ≤ ~50
// columns of an experiment table (Golub & Van Loan, Matrix Computations, §8.5).

export interface SymmetricEigen {
  /** Eigenvalues, in no particular order. */
  readonly values: Float64Array;
  /** Eigenvectors as columns of a p × p row-major matrix: vectors[k * p + i] is component k of vector i. */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/** `matrix` is p × p, row-major, symmetric; it is not modified. */
export function symmetricEigen(matrix: Float64Array, p: number): SymmetricEigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let i = 0; i < p; i++) {
      diagonal += a[i * p + i] * a[i * p + i];
      for (let j = i + 1; j < p; j++) off += a[i * p + j] * a[i * p + j];
    }
    if (off === 0 || off <= 1e-32 * diagonal) break;
    for (let r = 0; r < p - 1; r++) {
      for (let q = r + 1; q < p; q++) {
        const arq = a[r * p + q];
        if (arq === 0) continue;
        const theta = (a[q * p + q] - a[r * p + r]) / (2 * arq);
        // The smaller root of t² + 2θt − 1 = 0 keeps the rotation angle below π/4 (stable).
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const akr = a[k * p + r];
          const akq = a[k * p + q];
          a[k * p + r] = c * akr - s * akq;
          a[k * p + q] = s * akr + c * akq;
        }
        for (let k = 0; k < p; k++) {
          const ark = a[r * p + k];
          const aqk = a[q * p + k];
          a[r * p + k] = c * ark - s * aqk;
          a[q * p + k] = s * ark + c * aqk;
        }
        for (let k = 0; k < p; k++) {
          const vkr = v[k * p + r];
          const vkq = v[k * p + q];
          v[k * p + r] = c * vkr - s * vkq;
          v[k * p + q] = s * vkr + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = a[i * p + i];
  return { values, vectors: v };
}
