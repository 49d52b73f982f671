import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COVARIANCE_KINDS } from '../models/covariance.ts';
import { fitGp, gpLogMarginalLikelihood, referenceGpKernels, type GpStructure } from '../models/gp.ts';
import { choleskySolveInPlace, choleskyWithJitter, inverseFromCholesky, solveLowerManyInPlace } from '../models/linalg.ts';
import { createMatrix, type Matrix } from '../models/matrix.ts';
import { createRng } from '../models/rng.ts';
import { makeFriedman1, standardizeColumns } from '../validate/synthetic.ts';
import { supportsWasmRelaxedSimd } from './wasm-mlp.ts';
import { instantiateWasmGpKernels, type WasmGpKernels } from './wasm-gp.ts';

const plain = await instantiateWasmGpKernels(readFileSync(new URL('../../../wasm/build/kernels.wasm', import.meta.url)));
// Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd; elsewhere it is left out.
const builds: [string, WasmGpKernels][] = [['simd', plain]];
if (supportsWasmRelaxedSimd()) {
  builds.push(['relaxed', await instantiateWasmGpKernels(readFileSync(new URL('../../../wasm/build/kernels-relaxed.wasm', import.meta.url)))]);
}

function normalMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return createMatrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** B Bᵀ + n I for a random B: symmetric positive definite, condition number modest. */
function spdMatrix(n: number, seed: number): Float64Array {
  const b = normalMatrix(n, n, seed).data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s + (i === j ? n : 0);
      a[j * n + i] = a[i * n + j];
    }
  }
  return a;
}

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(floor, Math.abs(a[i])));
  return worst;
}

describe.each(builds)('wasm GP kernels (%s)', (_, kernels) => {
  it('computes the log marginal likelihood and its gradient as the TypeScript reference does', () => {
    const rng = createRng(7);
    for (const [n, d] of [[2, 1], [3, 2], [5, 1], [17, 3], [64, 10], [130, 7]]) {
      const x = normalMatrix(n, d, n * 31 + d);
      const y = Float64Array.from({ length: n }, () => rng.normal());
      for (const kernel of COVARIANCE_KINDS) {
        for (const ard of [true, false]) {
          for (const linear of [false, true]) {
            const structure: GpStructure = { kernel, ard, linear };
            const length = (ard ? d : 1) + 2 + (linear ? 1 : 0);
            const theta = Float64Array.from({ length }, () => rng.uniform(-1, 1.5));
            const expectedGradient = new Float64Array(length);
            const gradient = new Float64Array(length);
            const expected = gpLogMarginalLikelihood(x, y, structure, theta, expectedGradient);
            const actual = gpLogMarginalLikelihood(x, y, structure, theta, gradient, kernels);
            expect(Math.abs(actual - expected)).toBeLessThan(1e-9 * Math.abs(expected));
            // Relative to the gradient's scale: a component near 0 is a difference of large terms.
            const scale = Math.max(...Array.from(expectedGradient, Math.abs));
            expect(maxRelativeDifference(expectedGradient, gradient, scale)).toBeLessThan(1e-9);
          }
        }
      }
    }
    expect(kernels.bytesInUse()).toBe(0);
  });

  it('reports the same jitter and α, and NaN where even jitter cannot help', () => {
    // Duplicate rows and no noise: K is singular and needs jitter.
    const x = createMatrix(6, 1, Float64Array.from([0, 0, 1, 1, 2, 2]));
    const y = Float64Array.from([0.1, 0.2, -0.3, -0.2, 0.5, 0.4]);
    const structure: GpStructure = { kernel: 'rbf', ard: true, linear: false };
    const theta = Float64Array.from([0, 0, Math.log(1e-20)]);
    const reference = gpLogMarginalLikelihood(x, y, structure, theta);
    const likelihood = kernels.likelihood(x, y, structure);
    try {
      expect(Math.abs(-likelihood.negativeLogLikelihood(theta, null) - reference)).toBeLessThan(1e-12 * Math.abs(reference));
      expect(likelihood.jitter()).toBeGreaterThan(0);
      const referenceLikelihood = referenceGpKernels.likelihood(x, y, structure);
      referenceLikelihood.negativeLogLikelihood(theta, null);
      expect(likelihood.jitter()).toBe(referenceLikelihood.jitter());
      expect(maxRelativeDifference(referenceLikelihood.alpha(), likelihood.alpha(), 1)).toBeLessThan(1e-6);
      expect(likelihood.negativeLogLikelihood(Float64Array.from([0, NaN, 0]), null)).toBeNaN();
    } finally {
      likelihood.dispose();
    }
    expect(kernels.bytesInUse()).toBe(0);
  });

  it('factors, solves and inverts as linalg.ts does', () => {
    for (const n of [1, 2, 3, 4, 5, 31, 64, 97]) {
      const a = spdMatrix(n, n);
      const expected = choleskyWithJitter(a, n);
      const actual = kernels.choleskyWithJitter(a, n);
      expect(actual.jitter).toBe(0);
      expect(maxRelativeDifference(expected.factor, actual.factor, 1)).toBeLessThan(1e-12);

      const l = expected.factor;
      const inverse = new Float64Array(n * n);
      const expectedInverse = new Float64Array(n * n);
      inverseFromCholesky(l, n, expectedInverse);
      kernels.inverseFromCholesky(l, n, inverse);
      expect(maxRelativeDifference(expectedInverse, inverse, 1e-3)).toBeLessThan(1e-12);

      const rhs = normalMatrix(n, 1, 5).data;
      const expectedSolution = Float64Array.from(rhs);
      choleskySolveInPlace(l, n, expectedSolution);
      kernels.choleskySolveInPlace(l, n, rhs);
      expect(maxRelativeDifference(expectedSolution, rhs, 1e-3)).toBeLessThan(1e-12);

      for (const m of [1, 7, 8, 21]) {
        const many = normalMatrix(n, m, m).data;
        const expectedMany = Float64Array.from(many);
        solveLowerManyInPlace(l, n, expectedMany, m);
        kernels.solveLowerManyInPlace(l, n, many, m);
        expect(maxRelativeDifference(expectedMany, many, 1e-3)).toBeLessThan(1e-12);
      }
    }
    expect(kernels.bytesInUse()).toBe(0);
  });

  it('needs the same jitter as linalg.ts on a singular matrix, and gives up where it does', () => {
    const n = 9;
    const ones = new Float64Array(n * n).fill(1);
    const expected = choleskyWithJitter(ones, n);
    const actual = kernels.choleskyWithJitter(ones, n);
    expect(actual.jitter).toBe(expected.jitter);
    expect(maxRelativeDifference(expected.factor, actual.factor, 1)).toBeLessThan(1e-9);
    const indefinite = Float64Array.from({ length: 4 }, (_, k) => (k === 0 ? 1 : k === 3 ? -1 : 0));
    expect(() => kernels.choleskyWithJitter(indefinite, 2)).toThrow(RangeError);
    expect(kernels.bytesInUse()).toBe(0);
  });
});

describe('GP fits on the wasm kernels', () => {
  it('find the hyperparameters and predictions of the TypeScript path', () => {
    const { x: raw, y } = makeFriedman1(60, 5, 0.5, 11);
    const x = standardizeColumns(raw);
    for (const options of [{ kernel: 'rbf' as const }, { kernel: 'matern52' as const, linear: true }]) {
      const reference = fitGp(x, y, options, { seed: 3 });
      const fast = fitGp(x, y, options, { seed: 3 }, plain);
      const [h, g] = [reference.hyperparameters[0], fast.hyperparameters[0]];
      // L-BFGS stops where its tolerances say: rounding-level differences move the stopping point a little.
      const expected = [...h.lengthScales, h.signalVariance, h.noiseVariance, h.linearVariance];
      const actual = [...g.lengthScales, g.signalVariance, g.noiseVariance, g.linearVariance];
      expect(maxRelativeDifference(expected, actual, 1e-3)).toBeLessThan(1e-5);
      const query = normalMatrix(25, 5, 2);
      const [p, q] = [reference.predict(query), fast.predict(query)];
      expect(maxRelativeDifference(p.mean.data, q.mean.data, 1)).toBeLessThan(1e-5);
      expect(maxRelativeDifference(p.std.data, q.std.data, 1e-3)).toBeLessThan(1e-5);
    }
    expect(plain.bytesInUse()).toBe(0);
  });

  it('explore starts on a subset and refine on all rows as the TypeScript path does, and free their memory', () => {
    const { x: raw, y } = makeFriedman1(220, 6, 1, 5);
    const x = standardizeColumns(raw);
    const options = { kernel: 'rbf' as const, subsetSize: 96, restarts: 2 };
    const reference = fitGp(x, y, options, { seed: 1 });
    const fast = fitGp(x, y, options, { seed: 1 }, plain);
    const [h, g] = [reference.hyperparameters[0], fast.hyperparameters[0]];
    const expected = [...h.lengthScales, h.signalVariance, h.noiseVariance];
    const actual = [...g.lengthScales, g.signalVariance, g.noiseVariance];
    expect(maxRelativeDifference(expected, actual, 1e-3)).toBeLessThan(1e-5);
    const logLikelihood = reference.toJSON().perOutput[0].logMarginalLikelihood;
    expect(Math.abs(fast.toJSON().perOutput[0].logMarginalLikelihood - logLikelihood)).toBeLessThan(1e-8 * Math.abs(logLikelihood));
    expect(plain.bytesInUse()).toBe(0);
  });
});
