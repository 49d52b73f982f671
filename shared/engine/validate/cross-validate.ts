// K-fold cross-validation of any model factory: out-of-fold predictions (mean and std), per-output
// R², RMSE, MAE, interval coverage and a std calibration.
import { type Matrix, column, createMatrix, selectRows, standardizeOn } from '../models/matrix.ts';
import { createRng, deriveSeed } from '../models/rng.ts';
import type { FitProgressDetail, ModelFactory, Prediction, Predictor } from '../models/types.ts';
import { type StdCalibration, calibrateStd } from './calibration.ts';
import { type FoldOptions, type FoldPlan, planFolds } from './folds.ts';
import { meanAbsoluteError, rSquared, rootMeanSquaredError } from './metrics.ts';

export interface CrossValidationOptions extends FoldOptions {
  readonly signal?: AbortSignal;
  /** Fraction done; a fit's epoch losses are passed along with the fold they belong to. */
  readonly onProgress?: (fraction: number, detail?: FitProgressDetail) => void;
  /**
   * Permutation importance on the held-out folds: each group of input columns (one input,
   * or the one-hot columns of a categorical input) is shuffled among a fold's test rows and
   * the drop in pooled out-of-fold R² is reported. Absent: not computed.
   */
  readonly featureGroups?: readonly (readonly number[])[];
  /** Shuffles per group (default 5). */
  readonly permutationRepeats?: number;
  /**
   * Keep each fold's model and leave the permutation importance out of finish(): it is computed
   * by withPermutation() when wanted (auto asks only for the candidates it keeps).
   */
  readonly deferPermutation?: boolean;
  /**
   * Input columns to standardize again on each fold's training rows (mean 0, population std 1),
   * as the table encoder standardizes numeric inputs on all rows before the final fit: the
   * held-out rows then play no part in the scaling their predictions are made with, as in a
   * scikit-learn pipeline with a StandardScaler. Absent: x is used as given.
   */
  readonly restandardize?: readonly number[];
}

export interface PermutationImportance {
  /** importance[output][group]: mean drop in out-of-fold R² over shuffles and repeats. */
  readonly importance: number[][];
  /** Standard deviation of that drop over the shuffles. */
  readonly std: number[][];
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
  readonly permutation?: PermutationImportance;
}

/**
 * A cross-validation run fold by fold, so that callers can interleave several (auto races its
 * candidates): runFold(k) fits and scores fold k and returns its per-output R² (NaN for
 * leave-one-out folds); finish() needs every fold run.
 */
export interface CrossValidationRun {
  readonly plan: FoldPlan;
  runFold(k: number): number[];
  /**
   * Folds ks at once when the factory can fit several on other threads (fitMany), else one after
   * another; the same numbers as runFold on each. Returns each fold's per-output R².
   */
  runFolds(ks: readonly number[]): number[][];
  finish(): CrossValidationResult;
  /** With deferPermutation: finish()'s result with the permutation importance added (same numbers as without deferring). */
  withPermutation(result: CrossValidationResult): CrossValidationResult;
}

export function crossValidate(
  factory: ModelFactory,
  x: Matrix,
  y: Matrix,
  options: CrossValidationOptions = {},
): CrossValidationResult {
  const run = startCrossValidation(factory, x, y, options);
  run.runFolds(run.plan.folds.map((_, k) => k));
  return run.finish();
}

export function startCrossValidation(
  factory: ModelFactory,
  x: Matrix,
  y: Matrix,
  options: CrossValidationOptions = {},
): CrossValidationRun {
  if (x.rows !== y.rows) throw new RangeError('Inputs and targets must have the same number of rows');
  const { seed = 0, signal, onProgress } = options;
  const plan = planFolds(x.rows, options);
  const q = y.cols;
  const outOfFold: Prediction[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    outOfFold.push({ mean: createMatrix(y.rows, q), std: createMatrix(y.rows, q), stdLatent: createMatrix(y.rows, q) });
  }
  const foldR2 = Array.from({ length: q }, () => [] as number[]);
  const groups = options.featureGroups ?? [];
  const shuffles = options.permutationRepeats ?? 5;
  // permuted[g][s][repeat]: out-of-fold means with group g shuffled (shuffle s).
  const permuted = groups.map(() =>
    Array.from({ length: shuffles }, () => Array.from({ length: plan.repeats }, () => createMatrix(y.rows, q))),
  );
  const deferred = options.deferPermutation === true && groups.length > 0;
  const models: (Predictor | null)[] = plan.folds.map(() => null);
  /** Predictions of fold k's test rows with each group of columns shuffled among them. */
  const restandardize = options.restandardize ?? [];
  /** x with the restandardize columns scaled by fold k's training rows. */
  const foldInputs = (k: number): Matrix => (restandardize.length > 0 ? standardizeOn(x, plan.folds[k].train, restandardize) : x);
  const permuteFold = (model: Predictor, k: number, xk: Matrix): void => {
    const fold = plan.folds[k];
    const xTest = selectRows(xk, fold.test);
    groups.forEach((group, g) => {
      const rng = createRng(deriveSeed(seed, 0x9e37, fold.repeat, fold.index, g));
      for (let t = 0; t < shuffles; t++) {
        const shuffledX = createMatrix(xTest.rows, xTest.cols, xTest.data.slice());
        // Shuffle within the test rows; a single test row (leave-one-out) takes another row's values.
        const donors = fold.test.length > 1 ? rng.shuffle(Array.from(fold.test)) : [fold.train[Math.floor(rng.next() * fold.train.length)]];
        donors.forEach((donor, i) => {
          for (const c of group) shuffledX.data[i * x.cols + c] = xk.data[donor * x.cols + c];
        });
        const shuffledMean = model.predictMean ? model.predictMean(shuffledX) : model.predict(shuffledX).mean;
        fold.test.forEach((row, i) => {
          for (let o = 0; o < q; o++) permuted[g][t][fold.repeat].data[row * q + o] = shuffledMean.data[i * q + o];
        });
      }
    });
  };
  const done = new Set<number>();
  const checkFold = (k: number) => {
    if (!plan.folds[k] || done.has(k)) throw new RangeError(`Fold ${k} does not exist or has run`);
  };
  const fitFold = (k: number, xk: Matrix): Predictor => {
    const fold = plan.folds[k];
    const fitProgress = onProgress
      ? (f: number, detail?: FitProgressDetail) =>
          onProgress((done.size + f) / plan.folds.length, detail && { ...detail, fold: k, folds: plan.folds.length })
      : undefined;
    return factory.fit(selectRows(xk, fold.train), selectRows(y, fold.train), { seed: foldSeed(k), signal, onProgress: fitProgress });
  };
  const foldSeed = (k: number) => deriveSeed(seed, plan.folds[k].repeat, plan.folds[k].index);
  /** Scores fold k's test rows (of xk, its inputs) with its model and stores the out-of-fold predictions. */
  const scoreFold = (k: number, model: Predictor, xk: Matrix, report = true): number[] => {
    const fold = plan.folds[k];
    const xTest = selectRows(xk, fold.test);
    const prediction = model.predict(xTest);
    const target = outOfFold[fold.repeat];
    if (deferred) models[k] = model;
    else permuteFold(model, k, xk);
    fold.test.forEach((row, t) => {
      for (let o = 0; o < q; o++) {
        target.mean.data[row * q + o] = prediction.mean.data[t * q + o];
        target.std.data[row * q + o] = prediction.std.data[t * q + o];
        target.stdLatent.data[row * q + o] = prediction.stdLatent.data[t * q + o];
      }
    });
    const scores = new Array<number>(q).fill(NaN);
    if (!plan.leaveOneOut) {
      const yTest = selectRows(y, fold.test);
      for (let o = 0; o < q; o++) {
        const value = rSquared(column(yTest, o), column(prediction.mean, o));
        scores[o] = value;
        if (Number.isFinite(value)) foldR2[o].push(value);
      }
    }
    done.add(k);
    if (report) onProgress?.(done.size / plan.folds.length);
    return scores;
  };
  const runFold = (k: number): number[] => {
    checkFold(k);
    signal?.throwIfAborted();
    const xk = foldInputs(k);
    return scoreFold(k, fitFold(k, xk), xk);
  };
  const runFolds = (ks: readonly number[]): number[][] => {
    ks.forEach(checkFold);
    if (new Set(ks).size !== ks.length) throw new RangeError('A fold is listed twice');
    if (!factory.fitMany || ks.length < 2) return ks.map(runFold);
    signal?.throwIfAborted();
    const before = done.size;
    const inputs = ks.map(foldInputs);
    const fitted = factory.fitMany(
      ks.map((k, i) => {
        const train = plan.folds[k].train;
        return { x: selectRows(inputs[i], train), y: selectRows(y, train), seed: foldSeed(k) };
      }),
      { signal, onProgress: onProgress ? (f) => onProgress((before + f * ks.length) / plan.folds.length) : undefined },
    );
    // The fits' progress already covered these folds.
    const scores = ks.map((k, i) => scoreFold(k, fitted[i], inputs[i], false));
    onProgress?.(done.size / plan.folds.length);
    return scores;
  };

  const finish = (): CrossValidationResult => {
    if (done.size !== plan.folds.length) throw new RangeError('Every fold must run before the results');

    const outputs = outOfFoldMetrics(y, outOfFold, foldR2);
    return {
      model: factory.name,
      foldCount: plan.foldCount,
      repeats: plan.repeats,
      leaveOneOut: plan.leaveOneOut,
      outOfFold,
      outputs,
      ...(groups.length > 0 && !deferred ? { permutation: importanceOf(outputs) } : {}),
    };
  };

  const importanceOf = (outputs: readonly OutputMetrics[]): PermutationImportance => {
    const importance: number[][] = [];
    const std: number[][] = [];
    for (let o = 0; o < q; o++) {
      const truth = column(y, o);
      const baseline = outputs[o].r2;
      importance.push([]);
      std.push([]);
      groups.forEach((_, g) => {
        const drops = permuted[g].map((byRepeat) => baseline - byRepeat.reduce((sum, m) => sum + rSquared(truth, column(m, o)), 0) / plan.repeats);
        const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
        importance[o].push(mean);
        std[o].push(Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, drops.length - 1)));
      });
    }
    return { importance, std };
  };

  const withPermutation = (result: CrossValidationResult): CrossValidationResult => {
    if (!deferred) return result;
    models.forEach((model, k) => {
      if (!model) throw new RangeError('Every fold must run before the permutation importance');
      permuteFold(model, k, foldInputs(k));
      models[k] = null;
    });
    return { ...result, permutation: importanceOf(result.outputs) };
  };
  return { plan, runFold, runFolds, finish, withPermutation };
}

/**
 * Per-output metrics of out-of-fold predictions (one set per repeat): pooled R², RMSE and MAE
 * averaged over repeats, the mean of the per-fold R² (foldR2[o], empty for leave-one-out), and
 * the interval coverage and std calibration over all repeats pooled.
 */
export function outOfFoldMetrics(y: Matrix, outOfFold: readonly Prediction[], foldR2: readonly (readonly number[])[]): OutputMetrics[] {
  return Array.from({ length: y.cols }, (_, o): OutputMetrics => {
    const truth = column(y, o);
    const average = (metric: (p: Prediction) => number) => outOfFold.reduce((sum, p) => sum + metric(p), 0) / outOfFold.length;
    const pooledY = new Float64Array(y.rows * outOfFold.length);
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
}

