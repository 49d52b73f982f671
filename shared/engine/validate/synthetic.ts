// Benchmark problems with known structure, generated from a seed.
import { type Matrix, createMatrix, standardizeOn } from '../models/matrix.ts';
import { createRng } from '../models/rng.ts';

/**
 * Friedman #1 (Friedman 1991), as scikit-learn's make_friedman1: inputs uniform on [0, 1]^d
 * (d ≥ 5; only the first five matter), y = 10 sin(π x₁x₂) + 20 (x₃ − ½)² + 10 x₄ + 5 x₅ + noise·N(0, 1).
 * The noise-free part has variance about 23.8, so with noise 1 no model can pass R² ≈ 0.96.
 */
export function makeFriedman1(rows: number, inputs = 10, noise = 1, seed = 0): { x: Matrix; y: Matrix } {
  if (inputs < 5) throw new RangeError('Friedman #1 needs at least five inputs');
  const rng = createRng(seed);
  const x = createMatrix(rows, inputs);
  for (let k = 0; k < x.data.length; k++) x.data[k] = rng.next();
  const y = createMatrix(rows, 1);
  for (let i = 0; i < rows; i++) {
    const v = x.data.subarray(i * inputs, i * inputs + 5);
    y.data[i] = 10 * Math.sin(Math.PI * v[0] * v[1]) + 20 * (v[2] - 0.5) ** 2 + 10 * v[3] + 5 * v[4] + noise * rng.normal();
  }
  return { x, y };
}

/** Standardizes each column to mean 0 and (population) standard deviation 1, as the table encoder does. */
export function standardizeColumns(m: Matrix): Matrix {
  return standardizeOn(m, Int32Array.from({ length: m.rows }, (_, i) => i), Array.from({ length: m.cols }, (_, j) => j));
}
