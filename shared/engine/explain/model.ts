// The one thing explanation and design ask of a model: predict a batch. Any trained model
// (ensemble, Gaussian process, ridge) or a plain function fits behind it, so every method here
// is model-agnostic and can be tested against functions with known answers.

export interface ModelPrediction {
  /** Predicted mean, one array per output, each of length n. */
  readonly mean: Float64Array[];
  /** Predictive standard deviation per output, where the model has one. */
  readonly std?: Float64Array[];
}

/**
 * Predicts `n` rows. `columns` holds one column per input variable (in the caller's variable
 * order); categorical inputs carry their value if numeric, else their index.
 */
export type Model = (columns: readonly Float64Array[], n: number) => Promise<ModelPrediction>;

/** Options every long computation here takes. */
export interface LongWorkOptions<Progress> {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** Fraction of the work done, 0 to 1, and a short description of the current step. */
export interface WorkProgress {
  readonly fraction: number;
  readonly stage: string;
}

/** Calls `model` on rows in chunks of at most `chunkRows`, concatenating the means (and stds). */
export async function predictInChunks(
  model: Model,
  columns: readonly Float64Array[],
  n: number,
  chunkRows: number,
  afterChunk?: (done: number) => void,
  signal?: AbortSignal,
): Promise<ModelPrediction> {
  if (n <= chunkRows) {
    signal?.throwIfAborted();
    const prediction = checkPrediction(await model(columns, n), n);
    afterChunk?.(n);
    return prediction;
  }
  let mean: Float64Array[] | null = null;
  let std: Float64Array[] | null | undefined;
  for (let start = 0; start < n; start += chunkRows) {
    signal?.throwIfAborted();
    const rows = Math.min(chunkRows, n - start);
    const part = checkPrediction(
      await model(
        columns.map((column) => column.subarray(start, start + rows)),
        rows,
      ),
      rows,
    );
    if (mean === null) {
      mean = part.mean.map(() => new Float64Array(n));
      std = part.std?.map(() => new Float64Array(n));
    }
    part.mean.forEach((values, k) => mean?.[k].set(values.subarray(0, rows), start));
    if (std !== undefined && std !== null) {
      if (part.std === undefined) std = null;
      else part.std.forEach((values, k) => std?.[k].set(values.subarray(0, rows), start));
    }
    afterChunk?.(start + rows);
  }
  return { mean: mean ?? [], std: std ?? undefined };
}

function checkPrediction(prediction: ModelPrediction, n: number): ModelPrediction {
  for (const values of prediction.mean) {
    if (values.length < n) throw new Error(`The model returned ${values.length} values for ${n} rows`);
  }
  return prediction;
}
