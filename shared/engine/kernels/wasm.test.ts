import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceKernels } from './reference.ts';
import { seededFloat32, selfTestKernels, selfTestMlpKernels } from './self-test.ts';
import { referenceMlpKernels } from './mlp-reference.ts';
import { instantiateWasmMlpKernels } from './wasm-mlp.ts';
import { instantiateWasmKernels, supportsWasmSimd } from './wasm.ts';

const wasmBytes = readFileSync(new URL('../../../wasm/build/kernels.wasm', import.meta.url));

const seededVector = seededFloat32;

describe('wasm kernels', () => {
  it('detects SIMD in Node 20', () => {
    expect(supportsWasmSimd()).toBe(true);
  });

  it('computes an exact dot product on small integers', async () => {
    const kernels = await instantiateWasmKernels(wasmBytes);
    // 1..19 · 1..19 = 19·20·39/6 = 2470, exact in float32; 19 exercises the 16-wide block and the tail.
    const v = Float32Array.from({ length: 19 }, (_, i) => i + 1);
    expect(kernels.dotF32(v, v)).toBe(2470);
    expect(kernels.dotF32(new Float32Array(0), new Float32Array(0))).toBe(0);
  });

  it('agrees with the reference to float32 rounding on random vectors', async () => {
    const kernels = await instantiateWasmKernels(wasmBytes);
    for (const n of [1, 3, 16, 17, 255, 4096, 100_003]) {
      const a = seededVector(n, n);
      const b = seededVector(n, n + 7);
      const expected = referenceKernels.dotF32(a, b);
      let magnitude = 0;
      for (let i = 0; i < n; i++) magnitude += Math.abs(a[i] * b[i]);
      // Summation order differs (16 lanes vs one chain): the error bound is n·eps·Σ|a·b|.
      expect(Math.abs(kernels.dotF32(a, b) - expected)).toBeLessThanOrEqual(n * 2 ** -24 * magnitude + 1e-30);
    }
  });

  it('passes the self-test that the browser runs', async () => {
    const result = selfTestKernels(await instantiateWasmKernels(wasmBytes));
    expect(result.ok).toBe(true);
    expect(result.kernels).toBe('wasm-simd');
    // The sums really differ in order from the reference somewhere, so the check compares something.
    expect(result.checks.some((c) => c.value !== c.reference)).toBe(true);
  });

  it('passes the MLP self-test that the browser runs, and the check can fail', async () => {
    const check = selfTestMlpKernels(await instantiateWasmMlpKernels(wasmBytes));
    expect(check.ok).toBe(true);
    expect(check.kernels).toBe('wasm-simd');
    expect(check.trainStepError).toBeLessThan(1e-4);
    // A kernel set that skips the update is caught.
    const broken = { ...referenceMlpKernels, name: 'broken', trainStep: () => {} };
    expect(selfTestMlpKernels(broken).ok).toBe(false);
  });

  it('reuses its memory instead of growing on every call', async () => {
    const kernels = await instantiateWasmKernels(wasmBytes);
    const a = seededVector(50_000, 1);
    kernels.dotF32(a, a);
    const after = kernels.memoryBytes();
    for (let i = 0; i < 20; i++) kernels.dotF32(a, a);
    expect(kernels.memoryBytes()).toBe(after);
  });

  it('refuses vectors of different lengths', async () => {
    const kernels = await instantiateWasmKernels(wasmBytes);
    expect(() => kernels.dotF32(new Float32Array(2), new Float32Array(3))).toThrow(/differ in length/);
  });
});
