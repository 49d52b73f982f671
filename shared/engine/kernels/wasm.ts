// Our AssemblyScript kernels (wasm/assembly/), compiled to one module with SIMD128.
// The caller supplies the module (the worker fetches it, Node reads the file), so the
// engine stays free of I/O. Arrays are copied into one scratch region that grows on
// demand and is reused by every call.
import { assertSameLength, type VectorKernels } from './vector-kernels.ts';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  dotF32(a: number, b: number, n: number): number;
}

const PAGE_BYTES = 65_536;

export interface WasmKernels extends VectorKernels {
  /** Bytes of linear memory the module holds now (it only grows when a call needs more). */
  memoryBytes(): number;
}

export async function instantiateWasmKernels(source: WebAssembly.Module | BufferSource): Promise<WasmKernels> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  const exports = instance.exports as unknown as KernelExports;
  const base = exports.heapBase();

  function reserve(bytes: number): void {
    const needed = base + bytes - exports.memory.buffer.byteLength;
    if (needed > 0) exports.memory.grow(Math.ceil(needed / PAGE_BYTES));
  }

  return {
    name: 'wasm-simd',
    memoryBytes: () => exports.memory.buffer.byteLength,
    dotF32(a, b) {
      assertSameLength(a, b);
      const bytes = a.length * 4;
      // 16-byte alignment keeps the second vector on SIMD-friendly addresses.
      const bOffset = base + Math.ceil(bytes / 16) * 16;
      reserve(bOffset - base + bytes);
      const heap = new Float32Array(exports.memory.buffer);
      heap.set(a, base / 4);
      heap.set(b, bOffset / 4);
      return exports.dotF32(base, bOffset, a.length);
    },
  };
}

/** The smallest module that uses a SIMD128 instruction: validates only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b,
]);

export function supportsWasmSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
