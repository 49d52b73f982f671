// What the engine worker does, as plain async functions: the worker file only exposes
// this object. Everything here runs off the main thread.
import type { ComputeInfo } from '../../../shared/schema/compute.ts';
import { referenceKernels } from '../../../shared/engine/kernels/reference.ts';
import { instantiateWasmKernels, supportsWasmSimd, type WasmKernels } from '../../../shared/engine/kernels/wasm.ts';
import { selfTestKernels, type KernelSelfTest } from '../../../shared/engine/kernels/self-test.ts';
import { readTable, type ReadTableOptions } from '../../../shared/engine/table/read.ts';
import { summarizeTable, type ColumnSummary } from '../../../shared/engine/table/summary.ts';
import type { Table } from '../../../shared/engine/table/table.ts';
import kernelsUrl from '../../../wasm/build/kernels.wasm?url';
import { detectBackends } from './backends.ts';

let wasmKernels: Promise<WasmKernels> | undefined;

/** Our wasm kernels, compiled once per worker on first use. */
function loadWasmKernels(): Promise<WasmKernels> {
  wasmKernels ??= WebAssembly.compileStreaming(fetch(kernelsUrl)).then(instantiateWasmKernels);
  return wasmKernels;
}

export const engineApi = {
  async detectCompute(): Promise<ComputeInfo> {
    const wasmSimd = supportsWasmSimd();
    const { backends, backend } = await detectBackends();
    if (wasmSimd) await loadWasmKernels();
    return {
      backends,
      backend,
      wasmSimd,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      kernels: wasmSimd ? 'wasm-simd' : 'reference',
      hardwareConcurrency: navigator.hardwareConcurrency ?? 1,
    };
  },

  summarize(table: Table): ColumnSummary[] {
    return summarizeTable(table);
  },

  /** Reads a file (CSV, TSV, XLSX in any supported encoding) and summarizes its columns. */
  summarizeFile(bytes: Uint8Array, options: ReadTableOptions = {}): { rowCount: number; columns: ColumnSummary[] } {
    const { table } = readTable(bytes, options);
    return { rowCount: table.rowCount, columns: summarizeTable(table) };
  },

  /** Runs our kernels against the reference on this device. */
  async selfTest(): Promise<KernelSelfTest> {
    return selfTestKernels(supportsWasmSimd() ? await loadWasmKernels() : referenceKernels);
  },
};

export type EngineApi = typeof engineApi;
