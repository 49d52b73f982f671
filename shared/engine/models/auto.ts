// The `auto` model: cross-validates every candidate on the same folds, keeps the best per output by
// out-of-fold R² (one candidate, or a blend of several when its nested cross-validation scores
// higher; blend.ts), rescales its std when the out-of-fold coverage says it is miscalibrated, and
// refits the winners on all rows. The report says why each output got its model.
import { type CrossValidationOptions, type CrossValidationResult, startCrossValidation } from '../validate/cross-validate.ts';
import type { FoldPlan } from '../validate/folds.ts';
import type { StdCalibration } from '../validate/calibration.ts';
import { type BlendCrossValidation, blendPermutation, crossValidateBlend, mixMoments } from './blend.ts';
import { type GpKernels, gpFactory } from './gp.ts';
import { type Matrix, createMatrix, selectColumns } from './matrix.ts';
import { ridgeFactory } from './ridge.ts';
import { deriveSeed } from './rng.ts';
import type { FitProgressDetail, ModelFactory, Prediction, Predictor, SerializedModel } from './types.ts';

/**
 * The candidates `auto` tries, in order of preference on ties (simplest first). A GP with one
 * shared length-scale is there too: on small noisy tables (the diabetes data) ARD's extra
 * hyperparameters overfit the marginal likelihood and the shared one predicts better.
 * The neural-network ensemble joins this list as one more factory when it lands.
 */
/** `gpKernels` runs the Gaussian processes' linear algebra (default: the plain-TS reference). */
export function defaultCandidates(gpKernels?: GpKernels): ModelFactory[] {
  return [
    ridgeFactory(),
    gpFactory({ kernel: 'rbf', ard: false }, gpKernels),
    gpFactory({ kernel: 'rbf', ard: true }, gpKernels),
    gpFactory({ kernel: 'matern52', ard: true }, gpKernels),
  ];
}

export interface AutoOptions extends CrossValidationOptions {
  readonly candidates?: readonly ModelFactory[];
  /** Stop candidates that are clearly behind after the first fold (default true; see screenAfterFirstFold). */
  readonly screen?: boolean;
  /**
   * Offer a blend of the candidates that ran every fold (default true): it is chosen for an output
   * when it mixes two or more and its nested cross-validated error (1 − R²) is at least
   * BLEND_MIN_GAIN below every single candidate's.
   */
  readonly blend?: boolean;
}

/** The name a blend goes by in choices, scores and crossValidation. */
export const BLEND = 'blend';

/**
 * The share of the best single candidate's out-of-fold error (1 − R²) a blend must remove to be
 * kept: every member adds its refit, and its cost to every prediction, explanation and
 * optimization after, which a gain within the folds' noise does not repay. On Friedman #1 a blend
 * of the two ARD GPs and the network removed 1 % (R² 0.9626 → 0.9630) at twice the training time.
 */
export const BLEND_MIN_GAIN = 0.02;

/** Test rows a first fold needs before its R² is trusted to screen candidates out. */
export const SCREEN_MIN_TEST_ROWS = 50;

/**
 * Which candidates go on after the first fold. With at least SCREEN_MIN_TEST_ROWS test rows in
 * that fold (so from about 250 rows at 5 folds), a candidate stops when, for every output, its
 * first-fold R² is below the best candidate's by more than max(0.03, 1/√test rows) (0.07 at 200
 * test rows): a gap that a fold's sampling noise does not make, so the folds saved (most of the
 * time of a slow, clearly worse model) do not change the choice. Smaller tables run every fold.
 */
export function screenAfterFirstFold(plan: FoldPlan, firstFold: readonly (readonly number[] | null)[], enabled: boolean): boolean[] {
  const testRows = plan.folds[0]?.test.length ?? 0;
  if (!enabled || plan.leaveOneOut || plan.folds.length < 2 || testRows < SCREEN_MIN_TEST_ROWS) return firstFold.map(() => true);
  const margin = Math.max(0.03, 1 / Math.sqrt(testRows));
  const outputs = firstFold.find((f) => f !== null)?.length ?? 0;
  const best = Array.from({ length: outputs }, (_, o) =>
    Math.max(...firstFold.map((f) => (f && Number.isFinite(f[o]) ? f[o] : -Infinity))),
  );
  return firstFold.map((f) => f !== null && best.some((b, o) => Number.isFinite(f[o]) && f[o] >= b - margin));
}

export interface CandidateScore {
  readonly name: string;
  /** Pooled out-of-fold R² (NaN when the candidate failed). */
  readonly r2: number;
  readonly r2FoldMean: number;
  readonly rmse: number;
  readonly coverage95: number;
  /** Why it failed, when it did. */
  readonly error?: string;
  /**
   * Set when the candidate stopped after this many folds because it was clearly behind (r2 and
   * r2FoldMean are then those folds' R²); see screenAfterFirstFold.
   */
  readonly screenedAfterFolds?: number;
}

export interface OutputChoice {
  readonly output: number;
  /** A candidate's name, or BLEND. */
  readonly chosen: string;
  /** When chosen is BLEND: its members (weight > 0, candidate order) and weights, summing to 1. */
  readonly blend?: readonly { readonly name: string; readonly weight: number }[];
  /** One line for people: the winner's CV R² against the others'. */
  readonly reason: string;
  readonly scores: readonly CandidateScore[];
  readonly calibration: StdCalibration;
}

export interface AutoState extends SerializedModel {
  readonly kind: 'auto';
  /** 1 when every output has one model; 2 when some output is a blend (parts carry weights). */
  readonly version: 1 | 2;
  readonly inputs: number;
  readonly outputs: number;
  /**
   * Each fitted model and the outputs (columns of the full target matrix) it predicts, with its
   * weight in each of them (version 2; 1 when absent). Each output's weights sum to 1.
   */
  readonly parts: { readonly outputs: number[]; readonly weights?: number[]; readonly model: SerializedModel }[];
  /** Std multiplier per output from the out-of-fold calibration (1 when none was needed). */
  readonly stdScale: number[];
}

export interface AutoPredictor extends Predictor<AutoState> {
  readonly kind: 'auto';
}

export interface AutoResult {
  readonly predictor: AutoPredictor;
  readonly choices: readonly OutputChoice[];
  /** Cross-validation of every candidate that ran, by name, and of the blend (BLEND) when one was tried. */
  readonly crossValidation: Readonly<Record<string, CrossValidationResult>>;
  /** Out-of-fold predictions of the chosen model per output (first repeat), std rescaled. */
  readonly outOfFold: Prediction;
}

export function fitAuto(x: Matrix, y: Matrix, options: AutoOptions = {}): AutoResult {
  const { candidates = defaultCandidates(), seed = 0, signal, onProgress } = options;
  if (candidates.length === 0) throw new RangeError('auto needs at least one candidate');
  const names = candidates.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new RangeError('Candidate names must be distinct');
  const q = y.cols;
  const steps = candidates.length + 1;
  const crossValidation: Record<string, CrossValidationResult> = {};
  const failures: Record<string, string> = {};
  const screenedOut: Record<string, number[]> = {};
  // Every candidate runs fold by fold on the same folds; progress is the share of folds done.
  const done = new Array<number>(candidates.length).fill(0);
  const report = (detail?: FitProgressDetail) => onProgress?.(done.reduce((a, b) => a + b, 0) / steps, detail);
  const runs = candidates.map((candidate, c) =>
    startCrossValidation(candidate, x, y, {
      ...options,
      // Permutation importance is asked of the winners only, below.
      deferPermutation: true,
      seed,
      onProgress: onProgress
        ? (f, detail) => {
            done[c] = f;
            report(detail && { ...detail, candidate: candidate.name });
          }
        : undefined,
    }),
  );
  const plan = runs[0].plan;
  const attempt = (c: number, work: () => void): boolean => {
    try {
      work();
      return true;
    } catch (error) {
      if (signal?.aborted) throw error;
      failures[candidates[c].name] = error instanceof Error ? error.message : String(error);
      done[c] = 1;
      return false;
    }
  };
  const firstFold: (number[] | null)[] = runs.map((run, c) => {
    let scores: number[] | null = null;
    return attempt(c, () => (scores = run.runFold(0))) ? scores : null;
  });
  const alive = screenAfterFirstFold(plan, firstFold, options.screen ?? true);
  runs.forEach((run, c) => {
    const name = candidates[c].name;
    if (firstFold[c] === null) return;
    if (!alive[c]) {
      screenedOut[name] = firstFold[c]!;
      done[c] = 1;
      report();
      return;
    }
    attempt(c, () => {
      run.runFolds(Array.from({ length: plan.folds.length - 1 }, (_, k) => k + 1));
      crossValidation[name] = run.finish();
    });
  });

  // The blend of every candidate that ran all folds (screened and failed ones are out).
  const complete = candidates.filter(({ name }) => crossValidation[name]).map(({ name }) => name);
  const blend: BlendCrossValidation | null =
    (options.blend ?? true) && complete.length >= 2
      ? crossValidateBlend(plan, y, complete.map((name) => crossValidation[name]))
      : null;
  if (blend) crossValidation[BLEND] = blend.result;

  const choices: OutputChoice[] = [];
  for (let o = 0; o < q; o++) {
    const scores: CandidateScore[] = candidates.map(({ name }) => {
      const result = crossValidation[name];
      const first = screenedOut[name];
      if (first) return { name, r2: first[o], r2FoldMean: first[o], rmse: NaN, coverage95: NaN, screenedAfterFolds: 1 };
      if (!result) return { name, r2: NaN, r2FoldMean: NaN, rmse: NaN, coverage95: NaN, error: failures[name] };
      const m = result.outputs[o];
      return { name, r2: m.r2, r2FoldMean: m.r2FoldMean, rmse: m.rmse, coverage95: m.coverage95 };
    });
    let best = -1;
    scores.forEach((s, k) => {
      if (s.screenedAfterFolds === undefined && Number.isFinite(s.r2) && (best < 0 || s.r2 > scores[best].r2)) best = k;
    });
    if (best < 0) throw new RangeError(`No candidate could be cross-validated for output ${o}`);
    const members = blend
      ? complete.map((name, c) => ({ name, weight: blend.weights[o][c] })).filter((member) => member.weight > 0)
      : [];
    const blendMetrics = blend?.result.outputs[o];
    const useBlend =
      blendMetrics !== undefined && members.length >= 2 && 1 - blendMetrics.r2 <= (1 - BLEND_MIN_GAIN) * (1 - scores[best].r2);
    if (blendMetrics && members.length >= 2) {
      scores.push({ name: BLEND, r2: blendMetrics.r2, r2FoldMean: blendMetrics.r2FoldMean, rmse: blendMetrics.rmse, coverage95: blendMetrics.coverage95 });
    }
    const chosen = useBlend ? BLEND : scores[best].name;
    const chosenR2 = useBlend ? blendMetrics.r2 : scores[best].r2;
    const others = scores
      .filter((s) => s.name !== chosen)
      .map((s) => `${s.name} ${Number.isFinite(s.r2) ? s.r2.toFixed(3) : 'failed'}${s.screenedAfterFolds ? ' on the first fold, not run further' : ''}`);
    const what = useBlend
      ? `a blend of ${members.map((member) => `${member.name} (${member.weight.toFixed(2)})`).join(', ')}`
      : chosen;
    choices.push({
      output: o,
      chosen,
      ...(useBlend ? { blend: members } : {}),
      reason: `${what} has the highest cross-validated R², ${chosenR2.toFixed(3)}` + (others.length > 0 ? ` (${others.join(', ')})` : ''),
      scores,
      calibration: crossValidation[chosen].outputs[o].calibration,
    });
  }
  /** Candidate name's weight in output o's model. */
  const weightOf = (name: string, o: number): number => {
    const choice = choices[o];
    if (choice.blend) return choice.blend.find((member) => member.name === name)?.weight ?? 0;
    return choice.chosen === name ? 1 : 0;
  };

  // The permutation importance of the candidates kept (each fold's model, shuffled test columns);
  // a blend's is its members' averaged with its weights.
  candidates.forEach(({ name }, c) => {
    if (crossValidation[name] && choices.some((choice) => weightOf(name, choice.output) > 0)) {
      crossValidation[name] = runs[c].withPermutation(crossValidation[name]);
    }
  });
  if (blend) {
    const permutation = blendPermutation(blend.weights, complete.map((name) => crossValidation[name].permutation));
    crossValidation[BLEND] = { ...blend.result, ...(permutation ? { permutation } : {}) };
  }

  // Refit each candidate with a weight once, on all rows, for the outputs it is part of.
  const parts: AutoPart[] = [];
  candidates.forEach((candidate, c) => {
    const outputs = choices.filter((choice) => weightOf(candidate.name, choice.output) > 0).map((choice) => choice.output);
    if (outputs.length === 0) return;
    const model = candidate.fit(x, selectColumns(y, outputs), { seed: deriveSeed(seed, 0x5eed, c), signal });
    parts.push({ outputs, weights: outputs.map((o) => weightOf(candidate.name, o)), model });
  });
  onProgress?.(1);
  const stdScale = choices.map((choice) => choice.calibration.scale);

  const outOfFold: Prediction = { mean: createMatrix(y.rows, q), std: createMatrix(y.rows, q), stdLatent: createMatrix(y.rows, q) };
  choices.forEach((choice, o) => {
    const source = crossValidation[choice.chosen].outOfFold[0];
    for (let i = 0; i < y.rows; i++) {
      outOfFold.mean.data[i * q + o] = source.mean.data[i * q + o];
      outOfFold.std.data[i * q + o] = source.std.data[i * q + o] * stdScale[o];
      outOfFold.stdLatent.data[i * q + o] = source.stdLatent.data[i * q + o] * stdScale[o];
    }
  });
  return { predictor: makeAutoPredictor(x.cols, q, parts, stdScale), choices, crossValidation, outOfFold };
}

interface AutoPart {
  readonly outputs: number[];
  /** Weight per output (same order); 1 for a sole model. */
  readonly weights: number[];
  readonly model: Predictor;
}

/** Rebuilds an auto model; `readPart` turns each part's state back into a predictor (see registry.ts). */
export function autoFromJSON(state: AutoState, readPart: (part: SerializedModel) => Predictor): AutoPredictor {
  if (state.kind !== 'auto' || (state.version !== 1 && state.version !== 2)) throw new RangeError('Not an auto model (version 1 or 2)');
  const total = new Array<number>(state.outputs).fill(0);
  let valid = state.stdScale.length === state.outputs;
  for (const part of state.parts) {
    const weights = part.weights ?? part.outputs.map(() => 1);
    if (weights.length !== part.outputs.length || (state.version === 1 && part.weights)) valid = false;
    part.outputs.forEach((o, k) => {
      if (!Number.isInteger(o) || o < 0 || o >= state.outputs || !(weights[k] > 0 && weights[k] <= 1)) valid = false;
      else total[o] += weights[k];
    });
  }
  if (!valid || total.some((t) => Math.abs(t - 1) > 1e-9)) {
    throw new RangeError("auto model state does not give each output models whose weights sum to 1");
  }
  const parts = state.parts.map((p) => ({ outputs: p.outputs, weights: p.weights ?? p.outputs.map(() => 1), model: readPart(p.model) }));
  return makeAutoPredictor(state.inputs, state.outputs, parts, state.stdScale);
}

function makeAutoPredictor(inputs: number, outputs: number, parts: readonly AutoPart[], stdScale: number[]): AutoPredictor {
  const blended = parts.some((p) => p.weights.some((w) => w !== 1));
  // Who predicts each output: [part, column in that part's prediction, weight].
  const sources = Array.from({ length: outputs }, () => [] as [number, number, number][]);
  parts.forEach((part, p) => part.outputs.forEach((o, k) => sources[o].push([p, k, part.weights[k]])));
  return {
    kind: 'auto',
    inputs,
    outputs,
    toJSON: () => ({
      kind: 'auto',
      version: blended ? 2 : 1,
      inputs,
      outputs,
      parts: parts.map((p) => ({ outputs: p.outputs, ...(blended ? { weights: p.weights } : {}), model: p.model.toJSON() })),
      stdScale,
    }),
    predict(x: Matrix): Prediction {
      const m = x.rows;
      const mean = createMatrix(m, outputs);
      const std = createMatrix(m, outputs);
      const stdLatent = createMatrix(m, outputs);
      const predictions = parts.map((part) => part.model.predict(x));
      sources.forEach((from, o) => {
        const weights = from.map(([, , w]) => w);
        const at = (p: number, k: number, i: number) => i * parts[p].outputs.length + k;
        if (from.length === 1) {
          const [p, k] = from[0];
          for (let i = 0; i < m; i++) {
            mean.data[i * outputs + o] = predictions[p].mean.data[at(p, k, i)];
            std.data[i * outputs + o] = predictions[p].std.data[at(p, k, i)] * stdScale[o];
            stdLatent.data[i * outputs + o] = predictions[p].stdLatent.data[at(p, k, i)] * stdScale[o];
          }
          return;
        }
        for (let i = 0; i < m; i++) {
          const means = from.map(([p, k]) => predictions[p].mean.data[at(p, k, i)]);
          const mixed = mixMoments(weights, means, from.map(([p, k]) => predictions[p].std.data[at(p, k, i)]));
          const latent = mixMoments(weights, means, from.map(([p, k]) => predictions[p].stdLatent.data[at(p, k, i)]));
          mean.data[i * outputs + o] = mixed.mean;
          std.data[i * outputs + o] = mixed.std * stdScale[o];
          stdLatent.data[i * outputs + o] = latent.std * stdScale[o];
        }
      });
      return { mean, std, stdLatent };
    },
  };
}
