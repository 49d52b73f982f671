// Blending the candidates `auto` cross-validated: a convex combination of their predictions, with
// weights chosen on the out-of-fold predictions by greedy ensemble selection (Caruana et al.,
// "Ensemble selection from libraries of models", 2004): start from nothing and, BLEND_ROUNDS
// times, add (again, if it is already in) the candidate whose addition lowers the squared error
// of the running average most. Weights are multiples of 1/BLEND_ROUNDS, sum to 1, and are zero
// for candidates that do not help, so a blend is usually of two or three models.
//
// The blend's own cross-validated score is nested: the weights for each test fold are chosen on
// the out-of-fold predictions of the other folds only, so choosing the weights does not see the
// rows they are scored on. (The other folds' predictions come from models that were trained with
// the test fold; this is the usual level-one cross-validation of stacking, not a second loop of
// refits.)
import { type CrossValidationResult, type PermutationImportance, outOfFoldMetrics } from '../validate/cross-validate.ts';
import type { FoldPlan } from '../validate/folds.ts';
import { rSquared } from '../validate/metrics.ts';
import { type Matrix, column, createMatrix } from './matrix.ts';
import type { Prediction } from './types.ts';

export const BLEND_ROUNDS = 20;

/**
 * Greedy ensemble-selection weights over `predictions[c][i]` for the rows listed in `rows`
 * (all rows when absent). Ties go to the earlier candidate. Returns one weight per candidate.
 */
export function selectBlendWeights(
  target: ArrayLike<number>,
  predictions: readonly ArrayLike<number>[],
  rows?: ArrayLike<number>,
  rounds = BLEND_ROUNDS,
): number[] {
  const m = predictions.length;
  const n = rows ? rows.length : target.length;
  const at = (k: number) => (rows ? rows[k] : k);
  const counts = new Array<number>(m).fill(0);
  const sum = new Float64Array(n);
  for (let round = 1; round <= rounds; round++) {
    let best = -1;
    let bestError = Infinity;
    for (let c = 0; c < m; c++) {
      const p = predictions[c];
      let error = 0;
      for (let k = 0; k < n; k++) {
        const i = at(k);
        const d = (sum[k] + p[i]) / round - target[i];
        error += d * d;
      }
      if (error < bestError) {
        bestError = error;
        best = c;
      }
    }
    if (best < 0) break; // every candidate's predictions are non-finite
    counts[best]++;
    const p = predictions[best];
    for (let k = 0; k < n; k++) sum[k] += p[at(k)];
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * Mean and std of a mixture: Σ w·μ, and √(Σ w·(σ² + (μ − mean)²)) (summed around the mean, so
 * that one member of weight 1 gives back its own σ).
 */
export function mixMoments(weights: readonly number[], means: readonly number[], stds: readonly number[]): { mean: number; std: number } {
  let mean = 0;
  weights.forEach((w, c) => {
    if (w !== 0) mean += w * means[c];
  });
  let variance = 0;
  weights.forEach((w, c) => {
    if (w !== 0) variance += w * (stds[c] * stds[c] + (means[c] - mean) ** 2);
  });
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Nested blend weights for every fold of a plan, for one output: weights[f] is chosen on the
 * rows of fold f's repeat that are not in its test set. predictions[c][r] is candidate c's
 * out-of-fold mean on repeat r.
 */
export function nestedBlendWeights(
  plan: FoldPlan,
  target: ArrayLike<number>,
  predictions: readonly (readonly ArrayLike<number>[])[],
): number[][] {
  return plan.folds.map((fold) =>
    selectBlendWeights(
      target,
      predictions.map((byRepeat) => byRepeat[fold.repeat]),
      fold.train,
    ),
  );
}

export interface BlendCrossValidation {
  /** The blend's nested cross-validation, as a candidate's (model 'blend'). */
  readonly result: CrossValidationResult;
  /** weights[o][c]: member c's weight for output o, chosen on every out-of-fold row. */
  readonly weights: number[][];
}

/**
 * Cross-validates the blend of `members` (candidates cross-validated on `plan`'s folds) for every
 * output: nested weights per fold (nestedBlendWeights), the members' predictions mixed with
 * them (mixMoments for the std and the latent std), and the same metrics as a candidate's. The
 * final weights are chosen on all out-of-fold rows of every repeat.
 */
export function crossValidateBlend(plan: FoldPlan, y: Matrix, members: readonly CrossValidationResult[]): BlendCrossValidation {
  const n = y.rows;
  const q = y.cols;
  const outOfFold: Prediction[] = Array.from({ length: plan.repeats }, () => ({
    mean: createMatrix(n, q),
    std: createMatrix(n, q),
    stdLatent: createMatrix(n, q),
  }));
  const foldR2 = Array.from({ length: q }, () => [] as number[]);
  const weights: number[][] = [];
  for (let o = 0; o < q; o++) {
    const truth = column(y, o);
    const of = (part: 'mean' | 'std' | 'stdLatent') => members.map((m) => m.outOfFold.map((p) => column(p[part], o)));
    const means = of('mean');
    const stds = of('std');
    const latents = of('stdLatent');
    const nested = nestedBlendWeights(plan, truth, means);
    plan.folds.forEach((fold, f) => {
      const r = fold.repeat;
      const target = outOfFold[r];
      const testTruth = new Float64Array(fold.test.length);
      const testMean = new Float64Array(fold.test.length);
      fold.test.forEach((row, t) => {
        const mu = means.map((byRepeat) => byRepeat[r][row]);
        const mixed = mixMoments(nested[f], mu, stds.map((byRepeat) => byRepeat[r][row]));
        const latent = mixMoments(nested[f], mu, latents.map((byRepeat) => byRepeat[r][row]));
        target.mean.data[row * q + o] = mixed.mean;
        target.std.data[row * q + o] = mixed.std;
        target.stdLatent.data[row * q + o] = latent.std;
        testTruth[t] = truth[row];
        testMean[t] = mixed.mean;
      });
      if (!plan.leaveOneOut) {
        const value = rSquared(testTruth, testMean);
        if (Number.isFinite(value)) foldR2[o].push(value);
      }
    });
    const pooledTruth = new Float64Array(n * plan.repeats);
    for (let r = 0; r < plan.repeats; r++) pooledTruth.set(truth, r * n);
    const pooled = means.map((byRepeat) => {
      const all = new Float64Array(n * plan.repeats);
      byRepeat.forEach((values, r) => all.set(values, r * n));
      return all;
    });
    weights.push(selectBlendWeights(pooledTruth, pooled));
  }
  return {
    result: {
      model: 'blend',
      foldCount: plan.foldCount,
      repeats: plan.repeats,
      leaveOneOut: plan.leaveOneOut,
      outOfFold,
      outputs: outOfFoldMetrics(y, outOfFold, foldR2),
    },
    weights,
  };
}

/**
 * The blend's permutation importance per output, approximated by the members' importances
 * averaged with the output's weights (members without one are left out and the rest reweighted).
 */
export function blendPermutation(
  weights: readonly (readonly number[])[],
  members: readonly (PermutationImportance | undefined)[],
): PermutationImportance | undefined {
  const groups = members.find((m) => m)?.importance[0]?.length;
  if (groups === undefined) return undefined;
  const importance: number[][] = [];
  const std: number[][] = [];
  weights.forEach((w, o) => {
    const total = w.reduce((sum, wc, c) => sum + (members[c] ? wc : 0), 0);
    importance.push(new Array<number>(groups).fill(0));
    std.push(new Array<number>(groups).fill(0));
    if (total <= 0) return;
    w.forEach((wc, c) => {
      const member = members[c];
      if (!member || wc === 0) return;
      for (let g = 0; g < groups; g++) {
        importance[o][g] += (wc / total) * member.importance[o][g];
        std[o][g] += (wc / total) * member.std[o][g];
      }
    });
  });
  return { importance, std };
}
