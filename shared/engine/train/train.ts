// One training task, table to model file: choose columns, handle missing values, encode,
// cross-validate the candidate models, refit the best on all rows, and record everything a
// later prediction needs (transforms, weights, metrics, the training domain).
import * as v from 'valibot';
import {
  MODEL_FILE_FORMAT,
  MODEL_FILE_VERSION,
  TrainSpec,
  type ModelChoice,
  type ModelFile,
  type OutputMetricsRecord,
  type TrainSpecInput,
} from '../../schema/model-file.ts';
import { SIGMA_VERSION } from '../../version.ts';
import { defaultCandidates, fitAuto } from '../models/auto.ts';
import type { MlpEnsembleKernels } from '../kernels/mlp-reference.ts';
import { ensembleFactory } from '../models/ensemble/ensemble.ts';
import { forestFactory } from '../models/forest.ts';
import { type GpKernels, gpFactory } from '../models/gp.ts';
import { createMatrix } from '../models/matrix.ts';
import { ridgeFactory } from '../models/ridge.ts';
import type { FitProgressDetail, ModelFactory } from '../models/types.ts';
import { requireOutputNumbers, requireRowCount } from '../table/checks.ts';
import { encodeInputs, encodeOutputs, fitEncoding } from '../table/encode.ts';
import { TableError } from '../table/errors.ts';
import { handleMissing, type MissingReport } from '../table/missing.ts';
import { createTable, type Column, type Table } from '../table/table.ts';
import { meanAbsoluteError, rootMeanSquaredError, rSquared } from '../validate/metrics.ts';
import { summarizeDomain } from './domain.ts';
import { decodePrediction } from './output-scale.ts';

export interface TrainProgress {
  readonly fraction: number;
  readonly stage: string;
  readonly fit?: FitProgressDetail;
}

export interface TrainOptions {
  readonly signal?: AbortSignal;
  /** Fraction done (0 to 1), what is running and, while a neural network trains, its latest epoch's losses. */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Now, for the file's createdAt (tests fix it). */
  readonly now?: () => Date;
  /** Kernels the neural-network ensemble trains with (default: the plain-TS reference). */
  readonly mlpKernels?: MlpEnsembleKernels;
  /** Kernels the Gaussian processes fit with (default: the plain-TS reference). */
  readonly gpKernels?: GpKernels;
  /** Explicit cross-validation test folds over the rows used (to compare with another tool's split). */
  readonly testFolds?: readonly (readonly number[])[];
}

export interface TrainReport {
  readonly rows: { readonly total: number; readonly used: number; readonly dropped: number; readonly imputedCells: number };
  /** Rows without a value in some output: they cannot teach the model and are left out. */
  readonly missingOutputRows: readonly number[];
  readonly missing: MissingReport;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly metrics: Readonly<Record<string, OutputMetricsRecord>>;
  /** Out-of-fold predictions per output in original units, for predicted-vs-actual plots. */
  readonly outOfFold: Readonly<Record<string, { actual: number[]; predicted: number[]; std: number[] }>>;
}

export interface TrainResult {
  readonly modelFile: ModelFile;
  readonly report: TrainReport;
}

/** The fewest rows each choice can learn anything from. */
const MINIMUM_ROWS: Record<ModelChoice, number> = { linear: 3, gp: 3, nn: 10, auto: 3 };

/** The models a choice cross-validates; `auto` tries them all and keeps the best per output. */
export function modelCandidates(choice: ModelChoice, mlpKernels?: MlpEnsembleKernels, gpKernels?: GpKernels): ModelFactory[] {
  switch (choice) {
    case 'linear':
      return [ridgeFactory()];
    case 'gp':
      return [gpFactory({ kernel: 'rbf', ard: true }, gpKernels), gpFactory({ kernel: 'matern52', ard: true }, gpKernels)];
    case 'nn':
      return [ensembleFactory({}, mlpKernels)];
    case 'auto':
      return [...defaultCandidates(gpKernels), ensembleFactory({}, mlpKernels), forestFactory()];
  }
}

function columnByName(table: Table, name: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new TableError('unknown-column', `No column is named "${name}"`, { column: name });
  return column;
}

/** Numeric columns listed as categorical become text columns of their values. */
function applyCategoricalOverrides(table: Table, names: readonly string[]): Table {
  if (names.length === 0) return table;
  for (const name of names) columnByName(table, name);
  return createTable(
    table.columns.map((column): Column => {
      if (!names.includes(column.name) || column.kind !== 'numeric') return column;
      return {
        name: column.name,
        kind: 'categorical',
        values: Array.from(column.values, (value) => (Number.isNaN(value) ? null : String(value))),
      };
    }),
  );
}

function chooseInputs(table: Table, spec: TrainSpec): string[] {
  if (spec.inputs) {
    for (const name of spec.inputs) {
      const column = columnByName(table, name);
      if (spec.outputs.includes(name)) {
        throw new TableError('unusable-column', `column ${name} cannot be both an input and an output`, { column: name });
      }
      if (column.kind === 'identifier' || column.kind === 'constant') {
        throw new TableError('unusable-column', `column ${name} is ${column.kind === 'identifier' ? 'an identifier' : 'constant'} and cannot be a model input`, {
          column: name,
        });
      }
    }
    return [...spec.inputs];
  }
  const inputs = table.columns
    .filter((c) => !spec.outputs.includes(c.name) && !spec.ignore.includes(c.name))
    .filter((c) => c.kind === 'numeric' || c.kind === 'categorical')
    .map((c) => c.name);
  if (inputs.length === 0) throw new TableError('unusable-column', 'No column is left to use as an input');
  return inputs;
}

function keepRows(table: Table, keep: readonly number[]): Table {
  return createTable(
    table.columns.map((column): Column =>
      column.kind === 'numeric'
        ? { ...column, values: Float64Array.from(keep, (i) => column.values[i]) }
        : { ...column, values: keep.map((i) => column.values[i]) },
    ),
  );
}

function finiteField<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return value !== undefined && Number.isFinite(value) ? ({ [key]: value } as { [P in K]?: number }) : {};
}

function permutationOf(
  permutation: { importance: number[][]; std: number[][] } | undefined,
  output: number,
  inputs: readonly string[],
): OutputMetricsRecord['permutation'] {
  if (!permutation) return undefined;
  return inputs
    .map((input, g) => ({ input, importance: permutation.importance[output][g], std: permutation.std[output][g] }))
    .sort((a, b) => b.importance - a.importance);
}

export function trainModel(source: Table, specInput: TrainSpecInput, options: TrainOptions = {}): TrainResult {
  const spec = v.parse(TrainSpec, specInput);
  const { signal, onProgress, now = () => new Date() } = options;
  for (const name of [...spec.ignore, ...spec.logOutputs]) columnByName(source, name);
  const table = applyCategoricalOverrides(source, spec.categorical);
  for (const output of spec.outputs) requireOutputNumbers(table, output);
  const inputs = chooseInputs(table, spec);

  // Rows without every output are left out: there is nothing to learn from them.
  const outputColumns = spec.outputs.map((name) => requireOutputNumbers(table, name));
  const keep: number[] = [];
  const missingOutputRows: number[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    if (outputColumns.every((c) => !Number.isNaN(c.values[i]))) keep.push(i);
    else missingOutputRows.push(i);
  }
  const withOutputs = keepRows(table, keep);
  const { table: complete, report: missing } = handleMissing(withOutputs, inputs, { strategy: spec.impute });
  requireRowCount(complete, MINIMUM_ROWS[spec.model], spec.model === 'auto' ? 'Training' : `The ${spec.model} model`);

  const encoding = fitEncoding(complete, inputs, spec.outputs, { logOutputs: spec.logOutputs });
  const x = encodeInputs(encoding, complete);
  const y = encodeOutputs(encoding, complete);
  const xm = createMatrix(x.rows, x.features.length, x.matrix);
  const ym = createMatrix(y.rows, spec.outputs.length, y.matrix);

  // One permutation group per input: a categorical input's one-hot columns move together.
  // The numeric inputs (standardized by the encoder) are standardized again on each fold's rows.
  const featureGroups: number[][] = [];
  const numericFeatures: number[] = [];
  let column = 0;
  for (const transform of encoding.inputs) {
    const width = transform.type === 'numeric' ? 1 : transform.levels.length;
    if (transform.type === 'numeric') numericFeatures.push(column);
    featureGroups.push(Array.from({ length: width }, (_, k) => column + k));
    column += width;
  }

  onProgress?.({ fraction: 0, stage: 'cross-validation' });
  const auto = fitAuto(xm, ym, {
    featureGroups,
    restandardize: numericFeatures,
    candidates: modelCandidates(spec.model, options.mlpKernels, options.gpKernels),
    // Only auto may answer with a blend; nn, gp and linear promise a model of that kind.
    blend: spec.model === 'auto',
    folds: spec.folds,
    repeats: spec.repeats,
    seed: spec.seed,
    testFolds: options.testFolds,
    signal,
    onProgress: onProgress ? (fraction, fit) => onProgress({ fraction, stage: 'cross-validation', ...(fit && { fit }) }) : undefined,
  });

  const q = spec.outputs.length;
  const metrics: Record<string, OutputMetricsRecord> = {};
  const outOfFold: Record<string, { actual: number[]; predicted: number[]; std: number[] }> = {};
  spec.outputs.forEach((name, o) => {
    const transform = encoding.outputs[o];
    const actual = Array.from(requireOutputNumbers(complete, name).values);
    const meanZ = Float64Array.from({ length: ym.rows }, (_, i) => auto.outOfFold.mean.data[i * q + o]);
    const stdZ = Float64Array.from({ length: ym.rows }, (_, i) => auto.outOfFold.std.data[i * q + o]);
    const decoded = decodePrediction(transform, meanZ, stdZ);
    const choice = auto.choices[o];
    metrics[name] = {
      model: choice.chosen,
      ...(choice.blend ? { blend: choice.blend.map((member) => ({ name: member.name, weight: member.weight })) } : {}),
      reason: choice.reason,
      r2: rSquared(actual, decoded.mean),
      // Absent for leave-one-out, where a single-row fold has no R² (and JSON has no NaN).
      ...finiteField('r2FoldMean', choice.scores.find((candidate) => candidate.name === choice.chosen)?.r2FoldMean),
      rmse: rootMeanSquaredError(actual, decoded.mean),
      mae: meanAbsoluteError(actual, decoded.mean),
      coverage68: choice.calibration.coverage68Scaled,
      coverage95: choice.calibration.coverage95Scaled,
      stdRescaled: choice.calibration.applied,
      stdScale: choice.calibration.scale,
      candidates: choice.scores.map((s) => ({
        name: s.name,
        r2: s.r2,
        ...(s.error ? { error: s.error } : {}),
        ...(s.screenedAfterFolds ? { screenedAfterFolds: s.screenedAfterFolds } : {}),
      })),
      permutation: permutationOf(auto.crossValidation[choice.chosen]?.permutation, o, inputs),
    };
    outOfFold[name] = { actual, predicted: Array.from(decoded.mean), std: Array.from(decoded.std) };
  });

  const imputedCells = missing.columns.reduce((sum, c) => sum + c.imputed, 0);
  const dropped = missingOutputRows.length + missing.droppedRows.length;
  const modelFile: ModelFile = {
    format: MODEL_FILE_FORMAT,
    version: MODEL_FILE_VERSION,
    engineVersion: SIGMA_VERSION,
    createdAt: now().toISOString(),
    spec,
    encoding,
    model: auto.predictor.toJSON(),
    features: [...x.features],
    metrics,
    rows: { used: complete.rowCount, dropped, imputedCells },
    domain: summarizeDomain(x.matrix, x.rows, x.features.length, spec.seed),
  };
  onProgress?.({ fraction: 1, stage: 'done' });
  return {
    modelFile,
    report: {
      rows: { total: source.rowCount, used: complete.rowCount, dropped, imputedCells },
      missingOutputRows,
      missing,
      inputs,
      outputs: spec.outputs,
      metrics,
      outOfFold,
    },
  };
}
