// Compares a kernel set with the reference on seeded random vectors: run in the browser
// worker from the diagnostics panel and in the e2e suite, so users can check their device.
import { mlpLayout, referenceMlpKernels, type MlpEnsembleKernels, type MlpShape } from './mlp-reference.ts';
import { referenceKernels } from './reference.ts';
import type { VectorKernels } from './vector-kernels.ts';

export interface KernelCheck {
  readonly length: number;
  readonly value: number;
  readonly reference: number;
  /** |value − reference| divided by the float32 error bound n·2⁻²⁴·Σ|aᵢbᵢ|; at most 1 is correct. */
  readonly errorOverBound: number;
}

export interface MlpCheck {
  readonly kernels: string;
  /** Largest |kernel − reference| over the parameters after one training step, relative to the largest parameter. */
  readonly trainStepError: number;
  /** The same for the predictions of every member. */
  readonly predictError: number;
  readonly ok: boolean;
}

export interface KernelSelfTest {
  readonly kernels: string;
  readonly checks: readonly KernelCheck[];
  readonly mlp?: MlpCheck;
  readonly ok: boolean;
}

export function seededFloat32(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Seeded MLP parameters: Uniform(−½, ½)·2·√(3/fanIn) weights (unit-variance pre-activations, as He/LeCun initialization gives), Uniform(−½, ½) biases. */
export function seededParams(shape: MlpShape, seed: number): Float32Array {
  const layout = mlpLayout(shape);
  const params = seededFloat32(layout.size, seed);
  for (const { fanIn, weightOffset, biasOffset } of layout.layers) {
    for (let q = weightOffset; q < biasOffset; q++) params[q] *= 2 * Math.sqrt(3 / fanIn);
  }
  return params;
}

export function selfTestKernels(kernels: VectorKernels, lengths: readonly number[] = [1, 15, 16, 17, 1000, 65_537]): KernelSelfTest {
  const checks = lengths.map((n) => {
    const a = seededFloat32(n, 2 * n + 1);
    const b = seededFloat32(n, 3 * n + 5);
    let magnitude = 0;
    for (let i = 0; i < n; i++) magnitude += Math.abs(a[i] * b[i]);
    const value = kernels.dotF32(a, b);
    const reference = referenceKernels.dotF32(a, b);
    const bound = n * 2 ** -24 * magnitude;
    return { length: n, value, reference, errorOverBound: bound > 0 ? Math.abs(value - reference) / bound : 0 };
  });
  return { kernels: kernels.name, checks, ok: checks.every((c) => c.errorOverBound <= 1) };
}

function largestRelativeDifference(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / Math.max(scale, 1e-12);
}

/**
 * One AdamW training step and one prediction of a small ensemble (3 members, 7-20-20-2, SiLU,
 * batch 9: sizes that exercise the kernels' blocked and tail paths), from identical state,
 * against the reference. Single steps, not trajectories: rounding may flip a ReLU later on.
 */
export function selfTestMlpKernels(kernels: MlpEnsembleKernels): MlpCheck {
  const shape: MlpShape = { members: 3, inputs: 7, hidden: [20, 20], targets: 2, activation: 'silu', loss: 'mse' };
  const rows = 9;
  const params = seededFloat32(mlpLayout(shape).size, 11).map((v) => v * 0.6);
  const x = seededFloat32(rows * shape.inputs, 12);
  const y = seededFloat32(rows * shape.targets, 13);
  const batch = Int32Array.from({ length: shape.members * rows }, (_, i) => (i * 5) % rows);
  const ours = kernels.createState(shape, params.slice());
  const reference = referenceMlpKernels.createState(shape, params.slice());
  try {
    kernels.trainStep(ours, x, y, batch, 1e-3, 0.01);
    referenceMlpKernels.trainStep(reference, x, y, batch, 1e-3, 0.01);
    const trainStepError = largestRelativeDifference(kernels.snapshot(ours).params, referenceMlpKernels.snapshot(reference).params);
    const predictError = largestRelativeDifference(kernels.predict(ours, x, rows), referenceMlpKernels.predict(reference, x, rows));
    // float32 rounding in a different summation order: far below 1e-4 of the largest value.
    return { kernels: kernels.name, trainStepError, predictError, ok: trainStepError <= 1e-4 && predictError <= 1e-4 };
  } finally {
    kernels.dispose(ours);
    referenceMlpKernels.dispose(reference);
  }
}
