// Compares a kernel set with the reference on seeded random vectors: run in the browser
// worker from the diagnostics panel and in the e2e suite, so users can check their device.
import { referenceKernels } from './reference.ts';
import type { VectorKernels } from './vector-kernels.ts';

export interface KernelCheck {
  readonly length: number;
  readonly value: number;
  readonly reference: number;
  /** |value − reference| divided by the float32 error bound n·2⁻²⁴·Σ|aᵢbᵢ|; at most 1 is correct. */
  readonly errorOverBound: number;
}

export interface KernelSelfTest {
  readonly kernels: string;
  readonly checks: readonly KernelCheck[];
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
