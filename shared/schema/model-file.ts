import * as v from 'valibot';
import type { SerializedModel } from '../engine/models/types.ts';
import { TableEncoding } from './table-encoding.ts';

export const MODEL_FILE_FORMAT = 'sigma-model';
export const MODEL_FILE_VERSION = 1;

export const ModelChoice = v.picklist(['auto', 'nn', 'gp', 'linear']);
export type ModelChoice = v.InferOutput<typeof ModelChoice>;

export const ImputeStrategy = v.picklist(['drop', 'zero', 'mean', 'median', 'iterative']);
export type ImputeStrategy = v.InferOutput<typeof ImputeStrategy>;

/** What the user asked for: the analysis spec of a training task. */
export const TrainSpec = v.object({
  outputs: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
  /** Input columns; absent: every usable column that is not an output or ignored. */
  inputs: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  ignore: v.optional(v.array(v.string()), []),
  /** Columns to treat as categorical even when they hold numbers (e.g. integer-coded factors). */
  categorical: v.optional(v.array(v.string()), []),
  /** Outputs to model on a log scale (positive, right-skewed values). */
  logOutputs: v.optional(v.array(v.string()), []),
  impute: v.optional(ImputeStrategy, 'iterative'),
  model: v.optional(ModelChoice, 'auto'),
  folds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(100)), 5),
  repeats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)), 1),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
});
export type TrainSpecInput = v.InferInput<typeof TrainSpec>;
export type TrainSpec = v.InferOutput<typeof TrainSpec>;

const Finite = v.pipe(v.number(), v.finite());

export const OutputMetricsRecord = v.object({
  model: v.string(),
  reason: v.string(),
  r2: v.number(),
  /** Mean of the per-fold R² (scikit-learn's cross_val_score convention); NaN for leave-one-out. */
  r2FoldMean: v.optional(v.number()),
  rmse: v.number(),
  mae: v.number(),
  coverage68: v.number(),
  coverage95: v.number(),
  /** True when the std was rescaled because the out-of-fold coverage was far from nominal. */
  stdRescaled: v.boolean(),
  stdScale: Finite,
  /** When model is "blend": the candidates it mixes and their weights (summing to 1). */
  blend: v.optional(v.array(v.object({ name: v.string(), weight: Finite }))),
  /** Every candidate auto tried: its pooled CV R², or its first fold's when it stopped there (screenedAfterFolds). */
  candidates: v.array(
    v.object({ name: v.string(), r2: v.number(), error: v.optional(v.string()), screenedAfterFolds: v.optional(v.number()) }),
  ),
  /** Permutation importance of each input on the cross-validation folds, largest first. */
  permutation: v.optional(v.array(v.object({ input: v.string(), importance: v.number(), std: v.number() }))),
});
export type OutputMetricsRecord = v.InferOutput<typeof OutputMetricsRecord>;

/** The training inputs' footprint, for telling a user when a prediction extrapolates. */
export const DomainSummary = v.object({
  /** Per encoded feature, the training minimum and maximum (standardized units). */
  min: v.array(Finite),
  max: v.array(Finite),
  /** Standardized training rows (a sample when there are many), row-major, base64 of float32. */
  points: v.string(),
  pointCount: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Nearest-neighbour distance that 95 % of training rows are within: the threshold. */
  threshold: Finite,
});
export type DomainSummary = v.InferOutput<typeof DomainSummary>;

export const ModelFile = v.object({
  format: v.literal(MODEL_FILE_FORMAT),
  version: v.literal(MODEL_FILE_VERSION),
  engineVersion: v.string(),
  createdAt: v.string(),
  spec: TrainSpec,
  encoding: TableEncoding,
  /** The fitted model's own JSON state (read by shared/engine/models/registry.ts). */
  model: v.custom<SerializedModel>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { kind?: unknown }).kind === 'string' &&
      typeof (value as { version?: unknown }).version === 'number',
    'the model state needs a kind and a version',
  ),
  features: v.array(v.string()),
  metrics: v.record(v.string(), OutputMetricsRecord),
  rows: v.object({ used: v.number(), dropped: v.number(), imputedCells: v.number() }),
  domain: DomainSummary,
});
export type ModelFile = v.InferOutput<typeof ModelFile>;

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Checks a parsed model file; a newer or broken one fails with a message that says which. */
export function parseModelFile(value: unknown): ModelFile {
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== MODEL_FILE_FORMAT) {
    throw new ModelFileError('This is not a Sigma model file');
  }
  const version = (value as { version?: unknown }).version;
  if (typeof version === 'number' && version > MODEL_FILE_VERSION) {
    throw new ModelFileError(
      `This model file is version ${version}, made by a newer Sigma; this one reads up to version ${MODEL_FILE_VERSION}`,
    );
  }
  const result = v.safeParse(ModelFile, value);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new ModelFileError(`The model file is damaged${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  return result.output;
}
