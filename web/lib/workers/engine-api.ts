// What the engine worker does, as plain async functions: the worker file only exposes
// this object. Everything here runs off the main thread.
import type { BackendName, ComputeInfo } from '../../../shared/schema/compute.ts';
import { referenceKernels } from '../../../shared/engine/kernels/reference.ts';
import { instantiateWasmKernels, supportsWasmSimd, type WasmKernels } from '../../../shared/engine/kernels/wasm.ts';
import { selfTestKernels, selfTestMlpKernels, type KernelSelfTest } from '../../../shared/engine/kernels/self-test.ts';
import { readTable, type ReadReport, type ReadTableOptions } from '../../../shared/engine/table/read.ts';
import { loadModel, predictTable } from '../../../shared/engine/train/predict.ts';
import type { ModelKernels } from '../../../shared/engine/models/registry.ts';
import { trainModel, type TrainReport } from '../../../shared/engine/train/train.ts';
import type { ModelFile, TrainSpecInput } from '../../../shared/schema/model-file.ts';
import { createTable, type Column } from '../../../shared/engine/table/table.ts';
import { summarizeTable, type ColumnSummary } from '../../../shared/engine/table/summary.ts';
import kernelsUrl from '../../../wasm/build/kernels.wasm?url';
import kernelsRelaxedUrl from '../../../wasm/build/kernels-relaxed.wasm?url';
import { instantiateWasmGpKernels, type WasmGpKernels } from '../../../shared/engine/kernels/wasm-gp.ts';
import { supportsWasmRelaxedSimd } from '../../../shared/engine/kernels/wasm-mlp.ts';
import type { KernelDecision } from '../../../shared/engine/kernels/choose-mlp.ts';
import { type MlpEnsembleKernels, referenceMlpKernels } from '../../../shared/engine/kernels/mlp-reference.ts';
import type { KernelPreference } from '../state/kernel-preference.ts';
import { clearKernelDecisions } from './kernel-decisions.ts';
import { type BrowserMlpKernels, browserMlpKernels, peerCount } from './mlp-kernels.ts';
import { startModulePeer } from './module-peer.ts';
import { canBlockOnSharedMemory } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { type GpPeerLink, createGpFitPool } from '../../../shared/engine/kernels/parallel-gp.ts';
import type { GpKernels } from '../../../shared/engine/models/gp.ts';
import { activateBackend, detectBackends } from './backends.ts';
import { designTask, explainTask, optimizeTask, suggestTask, type Progress } from './analysis.ts';
import { appendRows } from './append-rows.ts';
import { type BatchedProgress, batchProgress } from './progress-batch.ts';
import { type BatchPrediction, batchPredictionTable } from './batch-predict.ts';
import { tableStatistics, type Correlation } from './column-statistics.ts';
import type { AnalysisSpecInput } from '../../../shared/schema/analysis-spec.ts';
import type {
  DesignOptions,
  ExplainOptions,
  ExplainResult,
  NextExperimentsResult,
  OptimizeOptions,
  OptimizeResult,
  SuggestOptions,
} from '../analysis/results.ts';

let kernelModule: Promise<WebAssembly.Module> | undefined;
let wasmKernels: Promise<WasmKernels> | undefined;
let gpKernels: Promise<WasmGpKernels> | undefined;
let gpTrainingKernels: Promise<GpKernels> | undefined;
let mlpKernels: Promise<BrowserMlpKernels> | undefined;
let kernelPreference: KernelPreference | null = null;

/**
 * Our kernels module, fetched and compiled once per worker: the relaxed-SIMD build where the
 * browser has it (Chromium does), else plain SIMD128. Both builds export every kernel.
 */
function loadKernelModule(): Promise<WebAssembly.Module> {
  kernelModule ??= WebAssembly.compileStreaming(fetch(supportsWasmRelaxedSimd() ? kernelsRelaxedUrl : kernelsUrl));
  return kernelModule;
}

function loadWasmKernels(): Promise<WasmKernels> {
  wasmKernels ??= loadKernelModule().then(instantiateWasmKernels);
  return wasmKernels;
}

/**
 * The neural-network kernels: our fused wasm kernels (on their own instance, and so their own
 * memory), spread over peer workers where that pays, or TensorFlow.js; chosen per workload by a
 * short calibration unless the user forced one. Without wasm SIMD, the plain-TS reference.
 */
async function loadMlpKernels(): Promise<MlpEnsembleKernels | undefined> {
  if (!supportsWasmSimd()) return undefined;
  mlpKernels ??= loadKernelModule().then((module) => browserMlpKernels(module, kernelPreference));
  return (await mlpKernels).kernels;
}

/** The kernels a loaded model file predicts with (our wasm kernels where SIMD works). */
async function modelKernels(): Promise<ModelKernels> {
  return { mlp: await loadMlpKernels(), ...(supportsWasmSimd() ? { gp: await loadGpKernels() } : {}) };
}

/** The Gaussian-process kernels, on their own instance (and so their own memory). */
function loadGpKernels(): Promise<WasmGpKernels> {
  gpKernels ??= loadKernelModule().then(instantiateWasmGpKernels);
  return gpKernels;
}

/**
 * The GP kernels for training: as loadGpKernels, with peer workers (one per further core, where
 * memory can be shared) that fit a GP's cross-validation folds at once. Started on the first training.
 */
function loadGpTrainingKernels(): Promise<GpKernels> {
  gpTrainingKernels ??= (async () => {
    const kernels = await loadGpKernels();
    const peers = peerCount(navigator.hardwareConcurrency ?? 1, canBlockOnSharedMemory());
    if (peers === 0) return kernels;
    try {
      const module = await loadKernelModule();
      const links = await Promise.all(Array.from({ length: peers }, () => startGpPeer(module)));
      return { ...kernels, pool: createGpFitPool(links) };
    } catch {
      // Without peers the folds are fitted one after another, with the same numbers.
      return kernels;
    }
  })();
  return gpTrainingKernels;
}

function startGpPeer(module: WebAssembly.Module): Promise<GpPeerLink> {
  return startModulePeer(() => new Worker(new URL('./gp-peer.worker.ts', import.meta.url), { type: 'module', name: 'sigma-gp-kernels' }), module);
}

export const engineApi = {
  /** Probes the device; TensorFlow.js is left on `preferred` when it works, else on the first that does. */
  async detectCompute(preferred: BackendName | null = null): Promise<ComputeInfo> {
    const wasmSimd = supportsWasmSimd();
    const { backends, backend } = await detectBackends(preferred);
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

  /** Run once when a worker starts: puts TensorFlow.js on the user's backend, or the next that works. */
  useBackend(preferred: BackendName | null): Promise<BackendName | null> {
    return activateBackend(preferred);
  },

  /** Run once when a worker starts, and when the user changes the choice: null chooses automatically. */
  async useKernels(preference: KernelPreference | null): Promise<void> {
    if (preference === kernelPreference && mlpKernels) return;
    kernelPreference = preference;
    const previous = mlpKernels;
    mlpKernels = undefined;
    if (previous) (await previous).close();
  },

  /** The neural-network kernels this device can use and what the calibration chose so far. */
  async kernelChoices(): Promise<{ candidates: readonly string[]; forced: KernelPreference | null; decisions: readonly KernelDecision[] }> {
    const kernels = await loadMlpKernels();
    const choosing = kernels && 'decisions' in kernels ? (kernels as BrowserMlpKernels['kernels']) : null;
    return { candidates: choosing?.candidates ?? ['reference'], forced: kernelPreference, decisions: choosing?.decisions() ?? [] };
  },

  /** Forgets this device's kernel choices: the next training calibrates again. */
  async recalibrateKernels(): Promise<void> {
    await clearKernelDecisions();
    const previous = mlpKernels;
    mlpKernels = undefined;
    if (previous) (await previous).close();
  },

  /** Reads a file and returns what the import screen shows: the report, summaries and the first rows. */
  readFile(
    bytes: Uint8Array,
    options: ReadTableOptions = {},
    previewRows = 20,
  ): { report: ReadReport; columns: ColumnSummary[]; preview: string[][] } {
    const { table, report } = readTable(bytes, options);
    const preview = Array.from({ length: Math.min(previewRows, table.rowCount) }, (_, i) =>
      table.columns.map((c) => {
        const value = c.values[i];
        return value === null || (typeof value === 'number' && Number.isNaN(value)) ? '' : String(value);
      }),
    );
    return { report, columns: summarizeTable(table), preview };
  },

  /**
   * The whole table for the dataset screen: every cell (numeric columns as Float64Array, which
   * the structured clone copies in one block), summaries with histograms, and the correlations.
   */
  readDataset(
    bytes: Uint8Array,
    options: ReadTableOptions = {},
  ): { report: ReadReport; cells: readonly Column[]; columns: ColumnSummary[]; correlation: Correlation } {
    const { table, report } = readTable(bytes, options);
    return { report, cells: table.columns, ...tableStatistics(table) };
  },

  /** A dataset with a filled experiment sheet's rows appended, as the CSV of the new version. */
  appendRows(
    datasetBytes: Uint8Array,
    datasetOptions: ReadTableOptions,
    sheetBytes: Uint8Array,
  ): { bytes: Uint8Array; rows: number; added: number; columns: number; ignored: string[]; blank: string[] } {
    const dataset = readTable(datasetBytes, datasetOptions).table;
    const { csv, ...counts } = appendRows(dataset, readTable(sheetBytes).table);
    return { bytes: new TextEncoder().encode(csv), columns: dataset.columns.length, ...counts };
  },

  /**
   * Trains a task on a stored file. Progress, with every neural-network epoch's losses since the
   * last report, reaches the callback at most ten times a second.
   */
  async train(
    bytes: Uint8Array,
    readOptions: ReadTableOptions,
    spec: TrainSpecInput,
    onProgress?: BatchedProgress,
  ): Promise<{ modelFile: ModelFile; report: TrainReport }> {
    const { table } = readTable(bytes, readOptions);
    return trainModel(table, spec, {
      onProgress: onProgress ? batchProgress(onProgress) : undefined,
      mlpKernels: await loadMlpKernels(),
      gpKernels: supportsWasmSimd() ? await loadGpTrainingKernels() : undefined,
    });
  },

  /** Predicts one or more rows given as column values by name. */
  async predict(
    modelFile: ModelFile,
    columns: Record<string, (number | string | null)[]>,
  ): Promise<{ outputs: { name: string; mean: number[]; std: number[] }[]; inDomain: boolean[] }> {
    const model = loadModel(modelFile, await modelKernels());
    const table = createTable(
      model.inputs.map((name): Column => {
        const values = columns[name] ?? [];
        return values.every((value) => typeof value === 'number' || value === null)
          ? { name, kind: 'numeric', values: Float64Array.from(values, (value) => (value === null ? NaN : (value as number))) }
          : { name, kind: 'categorical', values: values.map((value) => (value === null ? null : String(value))) };
      }),
    );
    const prediction = predictTable(model, table);
    return {
      outputs: prediction.outputs.map((o) => ({ name: o.name, mean: Array.from(o.mean), std: Array.from(o.std) })),
      inDomain: [...prediction.inDomain],
    };
  },

  /** Predicts every row of a CSV, TSV or XLSX file, read here in the worker; the result as `sigma predict` writes it. */
  async predictFile(modelFile: ModelFile, bytes: Uint8Array, previewRows = 10): Promise<BatchPrediction> {
    const model = loadModel(modelFile, await modelKernels());
    const { table } = readTable(bytes);
    return batchPredictionTable(model, table, predictTable(model, table), previewRows);
  },

  /** Factor analysis of a trained task: Sobol indices, SHAP over the task's rows (read with the dataset's read options), partial dependence, one interaction grid. */
  async explain(
    modelFile: ModelFile,
    bytes: Uint8Array,
    readOptions: ReadTableOptions,
    spec: AnalysisSpecInput,
    options: ExplainOptions,
    onProgress?: Progress,
  ): Promise<ExplainResult> {
    return explainTask(modelFile, bytes, readOptions, spec, options, onProgress, await modelKernels());
  },

  /** The Pareto set of a trained task for the spec's goals under its constraints. */
  async optimize(modelFile: ModelFile, spec: AnalysisSpecInput, options: OptimizeOptions, onProgress?: Progress): Promise<OptimizeResult> {
    return optimizeTask(modelFile, spec, options, onProgress, await modelKernels());
  },

  /** A space-filling plan that keeps the spec's input constraints, with its experiment sheet. */
  design(spec: AnalysisSpecInput, outputs: string[], options: DesignOptions, onProgress?: Progress): Promise<NextExperimentsResult> {
    return designTask(spec, outputs, options, onProgress);
  },

  /** The next batch of experiments from a trained task and its measured rows (read with the dataset's read options), each with its reason. */
  async suggest(
    modelFile: ModelFile,
    bytes: Uint8Array,
    readOptions: ReadTableOptions,
    spec: AnalysisSpecInput,
    options: SuggestOptions,
    onProgress?: Progress,
  ): Promise<NextExperimentsResult> {
    return suggestTask(modelFile, bytes, readOptions, spec, options, onProgress, await modelKernels());
  },

  /** Runs our kernels against the reference on this device. */
  async selfTest(): Promise<KernelSelfTest> {
    if (!supportsWasmSimd()) return selfTestKernels(referenceKernels);
    const vector = selfTestKernels(await loadWasmKernels());
    const mlp = selfTestMlpKernels((await loadMlpKernels()) ?? referenceMlpKernels);
    return { ...vector, mlp, ok: vector.ok && mlp.ok };
  },
};

export type EngineApi = typeof engineApi;
