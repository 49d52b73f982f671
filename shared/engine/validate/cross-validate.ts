// K-fold cross-validation of any model factory: out-of-fold predictions (mean and std), per-output
// R², RMSE, MAE, interval coverage and a std calibration.
import { type Matrix, column, createMatrix, selectRows } from '../models/matrix.ts';
import { deriveSeed } from '../models/rng.ts';
import type { ModelFactory, Prediction } from '../models/types.ts';
import { type StdCalibration, calibrateStd } from './calibration.ts';
import { type FoldOptions, planFolds } from './folds.ts';
import { meanAbsoluteError, rSquared, rootMeanSquaredError } from './metrics.ts';

export interface CrossValidationOptions extends FoldOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
}

export interface OutputMetrics {
  /** R² of all out-of-fold predictions pooled (averaged over repeats). */
  readonly r2: number;
  /** Mean of the per-fold R² (scikit-learn's cross_val_score convention); NaN for leave-one-out. */
  readonly r2FoldMean: number;
  readonly rmse: number;
  readonly mae: number;
  /** Fractions inside mean ± 1 std and mean ± 1.96 std, before any rescaling. */
  readonly coverage68: number;
  readonly coverage95: number;
  readonly calibration: StdCalibration;
}

export interface CrossValidationResult {
  readonly model: string;
  readonly foldCount: number;
  readonly repeats: number;
  readonly leaveOneOut: boolean;
  /** Out-of-fold predictions, one rows × outputs set per repeat. */
  readonly outOfFold: readonly Prediction[];
  readonly outputs: readonly OutputMetrics[];
}

export function crossValidate(
  factory: ModelFactory,
  x: Matrix,
  y: Matrix,
  options: CrossValidationOptions = {},
): CrossValidationResult {
  if (x.rows !== y.rows) throw new RangeError('Inputs and targets must have the same number of rows');
  const { seed = 0, signal, onProgress } = options;
  const plan = planFolds(x.rows, options);
  const q = y.cols;
  const outOfFold: Prediction[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    outOfFold.push({ mean: createMatrix(y.rows, q), std: createMatrix(y.rows, q), stdLatent: createMatrix(y.rows, q) });
  }
  const foldR2 = Array.from({ length: q }, () => [] as number[]);
  plan.folds.forEach((fold, k) => {
    signal?.throwIfAborted();
    const fitProgress = onProgress ? (f: number) => onProgress((k + f) / plan.folds.length) : undefined;
    const model = factory.fit(selectRows(x, fold.train), selectRows(y, fold.train), {
      seed: deriveSeed(seed, fold.repeat, fold.index),
      signal,
      onProgress: fitProgress,
    });
    const prediction = model.predict(selectRows(x, fold.test));
    const target = outOfFold[fold.repeat];
    fold.test.forEach((row, t) => {
      for (let o = 0; o < q; o++) {
        target.mean.data[row * q + o] = prediction.mean.data[t * q + o];
        target.std.data[row * q + o] = prediction.std.data[t * q + o];
        target.stdLatent.data[row * q + o] = prediction.stdLatent.data[t * q + o];
      }
    });
    if (!plan.leaveOneOut) {
      const yTest = selectRows(y, fold.test);
      for (let o = 0; o < q; o++) {
        const value = rSquared(column(yTest, o), column(prediction.mean, o));
        if (Number.isFinite(value)) foldR2[o].push(value);
      }
    }
    onProgress?.((k + 1) / plan.folds.length);
  });

  const outputs = Array.from({ length: q }, (_, o): OutputMetrics => {
    const truth = column(y, o);
    const average = (metric: (p: Prediction) => number) =>
      outOfFold.reduce((sum, p) => sum + metric(p), 0) / outOfFold.length;
    const pooledY = new Float64Array(y.rows * plan.repeats);
    const pooledMean = new Float64Array(pooledY.length);
    const pooledStd = new Float64Array(pooledY.length);
    outOfFold.forEach((p, r) => {
      pooledY.set(truth, r * y.rows);
      pooledMean.set(column(p.mean, o), r * y.rows);
      pooledStd.set(column(p.std, o), r * y.rows);
    });
    const calibration = calibrateStd(pooledY, pooledMean, pooledStd);
    return {
      r2: average((p) => rSquared(truth, column(p.mean, o))),
      r2FoldMean: foldR2[o].length > 0 ? foldR2[o].reduce((a, b) => a + b, 0) / foldR2[o].length : NaN,
      rmse: average((p) => rootMeanSquaredError(truth, column(p.mean, o))),
      mae: average((p) => meanAbsoluteError(truth, column(p.mean, o))),
      coverage68: calibration.coverage68,
      coverage95: calibration.coverage95,
      calibration,
    };
  });
  return {
    model: factory.name,
    foldCount: plan.foldCount,
    repeats: plan.repeats,
    leaveOneOut: plan.leaveOneOut,
    outOfFold,
    outputs,
  };
}
