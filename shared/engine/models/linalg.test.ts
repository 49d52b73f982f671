import { describe, expect, it } from 'vitest';
import {
  choleskySolveInPlace,
  choleskyWithJitter,
  halfLogDeterminant,
  inverseFromCholesky,
  solveLowerManyInPlace,
  thinSvd,
} from './linalg.ts';
import { createRng } from './rng.ts';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

describe('Cholesky and friends', () => {
  it('factors a hand-checked 3 × 3 matrix', () => {
    // [[4, 2, −2], [2, 10, 2], [−2, 2, 6]] = L Lᵀ with L = [[2], [1, 3], [−1, 1, 2]].
    const { factor, jitter } = choleskyWithJitter(Float64Array.from([4, 2, -2, 2, 10, 2, -2, 2, 6]), 3);
    expect(jitter).toBe(0);
    expect(Array.from(factor)).toEqual([2, 0, 0, 1, 3, 0, -1, 1, 2]);
    expect(halfLogDeterminant(factor, 3)).toBeCloseTo(Math.log(12), 14);
    const b = Float64Array.from([4, 14, 6]); // A · (1, 1, 1)
    choleskySolveInPlace(factor, 3, b);
    b.forEach((v) => expect(v).toBeCloseTo(1, 14));
  });

  it('inverts through the factor and solves many right-hand sides', () => {
    const n = 37;
    const a = randomSpd(n, 1);
    const { factor } = choleskyWithJitter(a, n);
    const inverse = new Float64Array(n * n);
    inverseFromCholesky(factor, n, inverse);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * (k >= j ? inverse[k * n + j] : inverse[j * n + k]);
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    // The factor is left intact: solving with it still works.
    const m = 3;
    const rhs = Float64Array.from({ length: n * m }, (_, k) => Math.sin(k));
    const solved = rhs.slice();
    solveLowerManyInPlace(factor, n, solved, m);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < m; c++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += factor[i * n + k] * solved[k * m + c];
        expect(s).toBeCloseTo(rhs[i * m + c], 11);
      }
    }
  });

  it('adds jitter only when a matrix is numerically singular', () => {
    // Two identical points under an RBF kernel: the matrix of ones is singular.
    const { jitter, factor } = choleskyWithJitter(Float64Array.from([1, 1, 1, 1]), 2);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-6);
    expect(factor[3]).toBeGreaterThan(0);
    expect(() => choleskyWithJitter(Float64Array.from([1, 0, 0, -1]), 2)).toThrow();
  });
});

describe('thinSvd', () => {
  it('reconstructs tall and wide matrices with orthonormal factors', () => {
    const rng = createRng(2);
    for (const [rows, cols] of [[9, 4], [4, 9]]) {
      const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
      const { u, s, v, rank } = thinSvd(a, rows, cols);
      expect(rank).toBe(4);
      for (let r = 1; r < rank; r++) expect(s[r]).toBeLessThanOrEqual(s[r - 1]);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let value = 0;
          for (let r = 0; r < rank; r++) value += u[i * rank + r] * s[r] * v[j * rank + r];
          expect(value).toBeCloseTo(a[i * cols + j], 12);
        }
      }
      for (let p = 0; p < rank; p++) {
        for (let q = 0; q < rank; q++) {
          let uu = 0;
          let vv = 0;
          for (let i = 0; i < rows; i++) uu += u[i * rank + p] * u[i * rank + q];
          for (let j = 0; j < cols; j++) vv += v[j * rank + p] * v[j * rank + q];
          expect(uu).toBeCloseTo(p === q ? 1 : 0, 12);
          expect(vv).toBeCloseTo(p === q ? 1 : 0, 12);
        }
      }
    }
  });

  it('finds the singular values of a hand-checked matrix and drops a null direction', () => {
    // [[3, 0], [4, 0]] has singular values 5 and 0.
    const { s, rank } = thinSvd(Float64Array.from([3, 0, 4, 0]), 2, 2);
    expect(rank).toBe(1);
    expect(s[0]).toBeCloseTo(5, 14);
  });
});
