// Deep ensemble regressor (Lakshminarayanan, Pritzel & Blundell 2017): M small MLPs trained at once
// through the MLP-ensemble kernels, each from its own seed, on its own random 85 % of the rows
// (the other 15 % is its early-stopping set) and in its own data order. The spread of the members
// is the model uncertainty; the noise is either each member's Gaussian variance head (trained by
// Gaussian negative log-likelihood) or, with the 'mse' loss, the members' held-out residual variance.
// Inputs and targets are standardized inside, so callers may pass raw or standardized columns.
import {
  type MlpActivation,
  type MemberSummary,
  type MlpEnsembleKernels,
  type MlpEnsembleState,
  type MlpLayout,
  type MlpLoss,
  type MlpShape,
  copyMemberParams,
  memberLosses,
  mlpLayout,
  networkOutputs,
  referenceMlpKernels,
  summarizeMembers,
} from '../../kernels/mlp-reference.ts';
import { trainBlock } from '../../kernels/mlp-batches.ts';
import { type Matrix, assertFinite, createMatrix } from '../matrix.ts';
import { createRng, deriveSeed } from '../rng.ts';
import type { FitOptions, ModelFactory, Prediction, Predictor, SerializedModel } from '../types.ts';
import { chooseArchitecture } from './architecture.ts';
import { decodeFloat32, encodeFloat32 } from './serialize.ts';

export interface EnsembleOptions {
  /** Members; default from the row count (8, or 16 from 200 rows). */
  readonly members?: number;
  /** Hidden widths; default from the row count (chooseArchitecture). */
  readonly hidden?: readonly number[];
  /** Decoupled weight decay λ; default from the row count. */
  readonly weightDecay?: number;
  /** SiLU (default): smooth responses for optimization and explanation, linear growth far out. */
  readonly activation?: MlpActivation;
  /**
   * 'mse' (default): noise variance from the held-out residuals. 'gaussian-nll': a variance head per
   * target (heteroscedastic); on Friedman #1 its held-out NLL turned up after a few epochs, stopping
   * members early at R² 0.88 against 0.92 with 'mse', so it is the option, not the default.
   */
  readonly loss?: MlpLoss;
  readonly learningRate?: number;
  readonly batchSize?: number;
  readonly maxEpochs?: number;
  /** Epochs without a better held-out loss before a member stops improving. */
  readonly patience?: number;
  /** Share of rows each member holds out for early stopping (default 0.15). */
  readonly validationFraction?: number;
  /**
   * Input selection (default true): after training, inputs whose shuffling raises the members'
   * held-out loss by less than `selectionThreshold` (a share of each target's variance) are cut and
   * training continues without them; kept only when the held-out loss falls.
   */
  readonly inputSelection?: boolean;
  /** Default 0.005: half a percent of the target's variance. */
  readonly selectionThreshold?: number;
  /**
   * Weight averaging β (an exponential moving average of the weights, in the spirit of Izmailov et
   * al. 2018's SWA): after each epoch a member's averaged weights become β·a + (1 − β)·w, and early
   * stopping scores and keeps the averaged weights while training goes on from w. 0 turns it off.
   * Default from the row count (0.9 from 200 rows, 0 below).
   */
  readonly averaging?: number;
  /**
   * A last phase from the members' best parameters at a tenth of the learning rate; a member keeps
   * its result only when its held-out loss falls. Default from the row count (from 200 rows).
   */
  readonly annealing?: boolean;
}

export interface EnsembleProgress {
  readonly epoch: number;
  /** Mean over members of the training loss after this epoch. */
  readonly loss: number;
  /** Mean over members of the held-out loss after this epoch. */
  readonly valLoss: number;
  /** Members whose held-out loss improved within the patience window. */
  readonly activeMembers: number;
  /** Rough fraction done, 0 to 1 (training ends early when every member has stopped). */
  readonly fraction: number;
}

export interface EnsembleFitOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EnsembleProgress) => void;
  /** Kernels that train and predict (default: the plain-TS reference). */
  readonly kernels?: MlpEnsembleKernels;
}

export interface EnsembleState extends SerializedModel {
  readonly kind: 'mlp-ensemble';
  readonly version: 1;
  readonly inputs: number;
  readonly outputs: number;
  readonly members: number;
  readonly hidden: number[];
  readonly activation: MlpActivation;
  readonly loss: MlpLoss;
  readonly inputMean: number[];
  readonly inputScale: number[];
  readonly outputMean: number[];
  readonly outputScale: number[];
  /** Per output, standardized units: the noise variance added with the 'mse' loss (0 otherwise). */
  readonly residualVariance: number[];
  /** All members' parameters (mlpLayout order), base64 of little-endian float32. */
  readonly params: string;
}

export interface EnsembleTrainingReport {
  /** Epochs run. */
  readonly epochs: number;
  /** Epoch whose parameters each member kept (1-based). */
  readonly bestEpochs: readonly number[];
  /** Each member's held-out loss at that epoch. */
  readonly bestValLosses: readonly number[];
  /** Inputs (column indices) the network was left without by input selection; empty when none. */
  readonly droppedInputs: readonly number[];
  /** Per input, the rise of the held-out loss when it is shuffled (share of the target variance), when measured. */
  readonly inputImportance?: readonly number[];
}

export interface EnsemblePredictor extends Predictor<EnsembleState> {
  readonly kind: 'mlp-ensemble';
  readonly members: number;
  readonly hidden: readonly number[];
  /** Present on a freshly fitted model, absent after fromJSON. */
  readonly training?: EnsembleTrainingReport;
}

const DEFAULTS = {
  activation: 'silu' as MlpActivation,
  loss: 'mse' as MlpLoss,
  learningRate: 3e-3,
  batchSize: 32,
  maxEpochs: 500,
  // 40 trained as well on Friedman #1, diabetes and airquality, at 1.3–2× the time.
  patience: 20,
  validationFraction: 0.15,
  // 5-fold CV R² of the network on Friedman #1 (5 of 10 inputs are noise), without → with: 40 rows
  // 0.566 → 0.634, 100 rows 0.715 → 0.797, 300 rows 0.893 → 0.936, scikit-learn's 1,000 rows
  // 0.958 → 0.961; diabetes 0.485 → 0.483; the small real tables within ±0.01.
  inputSelection: true,
  selectionThreshold: 0.005,
};
/** softplus⁻¹(1): the variance head starts at the standardized target's variance. */
const UNIT_VARIANCE_RAW = Math.log(Math.E - 1);
const MIN_ROWS = 5;
const CONTINUATION_WEIGHT_DECAY = 0.1;
const ANNEALING_LEARNING_RATE_DIVISOR = 10;

export function fitEnsemble(x: Matrix, y: Matrix, options: EnsembleOptions = {}, fitOptions: EnsembleFitOptions = {}): EnsemblePredictor {
  const n = x.rows;
  if (y.rows !== n) throw new RangeError('Inputs and targets must have the same number of rows');
  if (n < MIN_ROWS) throw new RangeError(`A neural-network ensemble needs at least ${MIN_ROWS} rows`);
  if (x.cols === 0 || y.cols === 0) throw new RangeError('A neural-network ensemble needs inputs and outputs');
  assertFinite(x, 'Inputs');
  assertFinite(y, 'Targets');
  const architecture = chooseArchitecture(n);
  const settings: Required<EnsembleOptions> = {
    members: options.members ?? architecture.members,
    hidden: options.hidden ?? architecture.hidden,
    weightDecay: options.weightDecay ?? architecture.weightDecay,
    activation: options.activation ?? DEFAULTS.activation,
    loss: options.loss ?? DEFAULTS.loss,
    learningRate: options.learningRate ?? DEFAULTS.learningRate,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    maxEpochs: options.maxEpochs ?? DEFAULTS.maxEpochs,
    patience: options.patience ?? DEFAULTS.patience,
    validationFraction: options.validationFraction ?? DEFAULTS.validationFraction,
    inputSelection: options.inputSelection ?? DEFAULTS.inputSelection,
    selectionThreshold: options.selectionThreshold ?? DEFAULTS.selectionThreshold,
    averaging: options.averaging ?? architecture.averaging,
    annealing: options.annealing ?? architecture.annealing,
  };
  checkSettings(settings);
  const { seed = 0, signal, onProgress, kernels = referenceMlpKernels } = fitOptions;
  signal?.throwIfAborted();

  const shape: MlpShape = {
    members: settings.members,
    inputs: x.cols,
    hidden: settings.hidden,
    targets: y.cols,
    activation: settings.activation,
    loss: settings.loss,
  };
  const inputStats = columnStats(x);
  const outputStats = columnStats(y);
  const xs = standardize(x, inputStats);
  const ys = standardize(y, outputStats);

  const validationRows = Math.max(1, Math.round(settings.validationFraction * n));
  const trainRows = n - validationRows;
  const splits = Array.from({ length: shape.members }, (_, k) => {
    const order = createRng(deriveSeed(seed, 1, k)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
    return { validation: order.subarray(0, validationRows), train: Int32Array.from(order.subarray(validationRows)) };
  });
  const layout = mlpLayout(shape);
  const initial = initialParams(shape, seed);
  const batch = Math.min(settings.batchSize, trainRows);
  const stepsPerEpoch = Math.ceil(trainRows / batch);
  // Each member's training rows, member after member: the lists a block of steps shuffles per epoch.
  const memberRows = new Int32Array(shape.members * trainRows);
  splits.forEach(({ train }, k) => memberRows.set(train, k * trainRows));

  const state = kernels.createState(shape, initial, { rows: trainRows });
  try {
    const context: PhaseContext = { kernels, state, shape, layout, ys, n, splits, memberRows, batch, stepsPerEpoch, seed, signal, onProgress };
    const select = settings.inputSelection && shape.inputs > 1;
    // Progress: the first phase, then the continuation after input selection, then annealing.
    const end = settings.annealing ? 0.8 : 1;
    const middle = select ? end / 2 : end;
    let phase = trainPhase(context, settings, xs, initial, 0, [0, middle]);
    let inputs = xs;
    let epochs = phase.epochs;
    let importance: number[] | undefined;
    // The inputs cut by selection, when its continuation was kept.
    let cut: readonly boolean[] | undefined;
    let lastProgress = phase.lastProgress;
    if (select) {
      // Inputs whose shuffling costs the members less than the threshold on their own held-out rows
      // are cut (their column zeroed, their first-layer weights too), and training continues from the
      // members' best parameters with the lighter settings of a network without noise inputs. The
      // continuation is kept only when the members' held-out loss is lower than before the cut.
      importance = inputImportance(context, xs, phase.best);
      const weak = importance.map((v) => v < settings.selectionThreshold);
      if (weak.some(Boolean) && !weak.every(Boolean)) {
        const masked = xs.slice();
        for (let i = 0; i < n; i++) for (let j = 0; j < shape.inputs; j++) if (weak[j]) masked[i * shape.inputs + j] = 0;
        const start = phase.best.slice();
        zeroInputWeights(layout, shape, start, weak);
        const continued = trainPhase(context, continuationSettings(settings), masked, start, epochs, [middle, end]);
        epochs = continued.epochs;
        lastProgress = continued.lastProgress;
        if (mean(continued.bestValLosses) < mean(phase.bestValLosses)) {
          // The cut inputs' weights got no gradient but were decayed; zero them so that the inputs play no part.
          zeroInputWeights(layout, shape, continued.best, weak);
          phase = continued;
          inputs = masked;
          cut = weak;
        }
      }
    }
    if (settings.annealing) {
      // From each member's best parameters, at a tenth of the base learning rate, with the settings
      // of the phase that produced them otherwise; a member keeps the result only when its held-out
      // loss falls.
      const base = cut ? continuationSettings(settings) : settings;
      const annealed = trainPhase(context, { ...base, learningRate: settings.learningRate / ANNEALING_LEARNING_RATE_DIVISOR }, inputs, phase.best, epochs, [end, 1]);
      epochs = annealed.epochs;
      lastProgress = annealed.lastProgress ?? lastProgress;
      const best = phase.best.slice();
      const bestValLosses = [...phase.bestValLosses];
      const bestEpochs = [...phase.bestEpochs];
      for (let k = 0; k < shape.members; k++) {
        if (annealed.bestValLosses[k] < bestValLosses[k]) {
          copyMemberParams(layout, annealed.best, best, k);
          bestValLosses[k] = annealed.bestValLosses[k];
          bestEpochs[k] = annealed.bestEpochs[k];
        }
      }
      // The cut inputs' weights got no gradient but were decayed; zero them again.
      if (cut) zeroInputWeights(layout, shape, best, cut);
      phase = { ...phase, best, bestValLosses, bestEpochs };
    }
    // When a later phase did not run, progress stopped short of 1.
    if (lastProgress && lastProgress.fraction < 1) onProgress?.({ ...lastProgress, activeMembers: 0, fraction: 1 });
    const { best, bestEpochs, bestValLosses } = phase;

    kernels.writeParams(state, best);
    const residualVariance =
      shape.loss === 'mse' ? heldOutNoiseVariance(shape, kernels.predict(state, xs, n), n, ys, splits) : new Array<number>(shape.targets).fill(0);
    return makeEnsemblePredictor(
      {
        kind: 'mlp-ensemble',
        version: 1,
        inputs: shape.inputs,
        outputs: shape.targets,
        members: shape.members,
        hidden: [...shape.hidden],
        activation: shape.activation,
        loss: shape.loss,
        inputMean: Array.from(inputStats.mean),
        inputScale: Array.from(inputStats.scale),
        outputMean: Array.from(outputStats.mean),
        outputScale: Array.from(outputStats.scale),
        residualVariance,
        params: encodeFloat32(best),
      },
      kernels,
      best,
      { epochs, bestEpochs, bestValLosses, droppedInputs: cut ? cut.flatMap((c, j) => (c ? [j] : [])) : [], ...(importance ? { inputImportance: importance } : {}) },
    );
  } finally {
    kernels.dispose(state);
  }
}

export function ensembleFromJSON(state: EnsembleState, kernels: MlpEnsembleKernels = referenceMlpKernels): EnsemblePredictor {
  if (state.kind !== 'mlp-ensemble' || state.version !== 1) throw new RangeError('Not a neural-network ensemble (version 1)');
  const shape = shapeOf(state);
  const params = decodeFloat32(state.params);
  const lengthsOk =
    state.inputMean.length === state.inputs &&
    state.inputScale.length === state.inputs &&
    state.outputMean.length === state.outputs &&
    state.outputScale.length === state.outputs &&
    state.residualVariance.length === state.outputs &&
    params.length === mlpLayout(shape).size;
  if (!lengthsOk) throw new RangeError('Ensemble state has inconsistent array lengths');
  return makeEnsemblePredictor(state, kernels, params);
}

/** A factory for cross-validation and `auto`; its fit reports progress as a fraction, with each epoch's losses. */
export function ensembleFactory(options: EnsembleOptions = {}, kernels: MlpEnsembleKernels = referenceMlpKernels): ModelFactory {
  return {
    name: 'mlp-ensemble',
    fit: (x: Matrix, y: Matrix, fitOptions: FitOptions = {}) => {
      const { seed, signal, onProgress } = fitOptions;
      const model = fitEnsemble(x, y, options, {
        seed,
        signal,
        kernels,
        onProgress: onProgress ? (p) => onProgress(p.fraction, { epoch: p.epoch, loss: p.loss, valLoss: p.valLoss }) : undefined,
      });
      onProgress?.(1);
      return model;
    },
  };
}

function makeEnsemblePredictor(
  state: EnsembleState,
  kernels: MlpEnsembleKernels,
  params: Float32Array,
  training?: EnsembleTrainingReport,
): EnsemblePredictor {
  const shape = shapeOf(state);
  return {
    kind: 'mlp-ensemble',
    inputs: state.inputs,
    outputs: state.outputs,
    members: state.members,
    hidden: state.hidden,
    training,
    toJSON: () => state,
    predict(x: Matrix): Prediction {
      if (x.cols !== state.inputs) throw new RangeError(`Expected ${state.inputs} input columns, got ${x.cols}`);
      assertFinite(x, 'Inputs');
      const q = state.outputs;
      const xs = new Float32Array(x.rows * x.cols);
      for (let i = 0; i < x.rows; i++) {
        for (let j = 0; j < x.cols; j++) xs[i * x.cols + j] = (x.data[i * x.cols + j] - state.inputMean[j]) / state.inputScale[j];
      }
      const handle: MlpEnsembleState = kernels.createState(shape, params, { rows: x.rows });
      let summary: MemberSummary;
      try {
        summary = kernels.predictSummary ? kernels.predictSummary(handle, xs, x.rows) : summarizeMembers(shape, kernels.predict(handle, xs, x.rows), x.rows);
      } finally {
        kernels.dispose(handle);
      }
      const mean = createMatrix(x.rows, q);
      const std = createMatrix(x.rows, q);
      const stdLatent = createMatrix(x.rows, q);
      for (let i = 0; i < x.rows; i++) {
        for (let t = 0; t < q; t++) {
          const at = i * q + t;
          const scale = state.outputScale[t];
          const noise = summary.noiseVariance[at] + state.residualVariance[t];
          mean.data[at] = state.outputMean[t] + scale * summary.mean[at];
          std.data[at] = scale * Math.sqrt(summary.memberVariance[at] + noise);
          stdLatent.data[at] = scale * Math.sqrt(summary.memberVariance[at]);
        }
      }
      return { mean, std, stdLatent };
    },
  };
}

function shapeOf(state: EnsembleState): MlpShape {
  return {
    members: state.members,
    inputs: state.inputs,
    hidden: state.hidden,
    targets: state.outputs,
    activation: state.activation,
    loss: state.loss,
  };
}

function checkSettings(s: Required<EnsembleOptions>): void {
  const positiveInteger = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInteger(s.members) || !positiveInteger(s.batchSize) || !positiveInteger(s.maxEpochs) || !positiveInteger(s.patience)) {
    throw new RangeError('members, batchSize, maxEpochs and patience must be positive integers');
  }
  if (s.hidden.length === 0 || !s.hidden.every(positiveInteger)) throw new RangeError('Hidden widths must be positive integers');
  if (!(s.learningRate > 0) || !(s.weightDecay >= 0)) throw new RangeError('learningRate must be positive and weightDecay non-negative');
  if (!(s.validationFraction > 0 && s.validationFraction < 0.5)) throw new RangeError('validationFraction must be in (0, 0.5)');
  if (!(s.selectionThreshold >= 0)) throw new RangeError('selectionThreshold must be non-negative');
  if (!(s.averaging >= 0 && s.averaging < 1)) throw new RangeError('averaging must be in [0, 1)');
  if (typeof s.annealing !== 'boolean') throw new RangeError('annealing must be true or false');
  if (s.activation !== 'silu' && s.activation !== 'relu') throw new RangeError('Unknown activation');
  if (s.loss !== 'mse' && s.loss !== 'gaussian-nll') throw new RangeError('Unknown loss');
}

/**
 * He initialization (He et al. 2015), normal with variance 2/fanIn, for the hidden layers; variance
 * 1/fanIn for the output layer so that initial predictions have about unit scale; zero biases except
 * the variance head's, which starts at unit variance. Each member from its own stream.
 */
function initialParams(shape: MlpShape, seed: number): Float32Array {
  const layout = mlpLayout(shape);
  const params = new Float32Array(layout.size);
  const last = layout.layers.length - 1;
  for (let k = 0; k < shape.members; k++) {
    const rng = createRng(deriveSeed(seed, 0, k));
    layout.layers.forEach(({ fanIn, fanOut, weightOffset, biasOffset }, l) => {
      const sd = Math.sqrt((l === last ? 1 : 2) / fanIn);
      const from = weightOffset + k * fanIn * fanOut;
      for (let q = 0; q < fanIn * fanOut; q++) params[from + q] = sd * rng.normal();
      if (l === last && shape.loss === 'gaussian-nll') {
        const bias = biasOffset + k * fanOut;
        for (let t = shape.targets; t < networkOutputs(shape); t++) params[bias + t] = UNIT_VARIANCE_RAW;
      }
    });
  }
  return params;
}

interface ColumnStats {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

function columnStats(m: Matrix): ColumnStats {
  const mean = new Float64Array(m.cols);
  const scale = new Float64Array(m.cols);
  for (let j = 0; j < m.cols; j++) {
    let s = 0;
    for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j];
    const mu = s / m.rows;
    let v = 0;
    for (let i = 0; i < m.rows; i++) v += (m.data[i * m.cols + j] - mu) ** 2;
    mean[j] = mu;
    // A constant column stays as it is (scale 1) rather than dividing by zero.
    scale[j] = v > 0 ? Math.sqrt(v / m.rows) : 1;
  }
  return { mean, scale };
}

function standardize(m: Matrix, stats: ColumnStats): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = (m.data[i * m.cols + j] - stats.mean[j]) / stats.scale[j];
  }
  return out;
}

interface PhaseContext {
  readonly kernels: MlpEnsembleKernels;
  readonly state: MlpEnsembleState;
  readonly shape: MlpShape;
  readonly layout: MlpLayout;
  readonly ys: Float32Array;
  readonly n: number;
  readonly splits: readonly { validation: Int32Array; train: Int32Array }[];
  readonly memberRows: Int32Array;
  readonly batch: number;
  readonly stepsPerEpoch: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EnsembleProgress) => void;
}

interface PhaseResult {
  readonly best: Float32Array;
  readonly bestValLosses: number[];
  readonly bestEpochs: number[];
  /** The last epoch run, counted from the start of the first phase. */
  readonly epochs: number;
  /** What the last epoch reported (none when no epoch ran). */
  readonly lastProgress?: EnsembleProgress;
}

/**
 * Trains every member from `start` on the inputs `xs` until each has gone `patience` epochs without
 * a better held-out loss (or maxEpochs), keeping each member's best parameters. Epochs are numbered
 * on from `firstEpoch`; progress fractions fall within `span`.
 */
function trainPhase(
  c: PhaseContext,
  settings: Required<EnsembleOptions>,
  xs: Float32Array,
  start: Float32Array,
  firstEpoch: number,
  span: readonly [number, number],
): PhaseResult {
  const { kernels, state, shape, layout, ys, n, splits } = c;
  kernels.writeParams(state, start);
  const best = Float32Array.from(start);
  const bestValLosses = new Array<number>(shape.members).fill(Infinity);
  const bestEpochs = new Array<number>(shape.members).fill(firstEpoch);
  let epoch = firstEpoch;
  let active = shape.members;
  let lastProgress: EnsembleProgress | undefined;
  // With averaging, the averaged weights are scored and kept; training goes on from the current ones.
  const beta = settings.averaging;
  let averaged: Float32Array | undefined;
  while (epoch - firstEpoch < settings.maxEpochs && active > 0) {
    epoch++;
    c.signal?.throwIfAborted();
    // One epoch is one block of steps; kernels without the block entry replay the same batches.
    trainBlock(kernels, state, xs, ys, c.memberRows, c.batch, c.stepsPerEpoch, deriveSeed(c.seed, 2, epoch), settings.learningRate, settings.weightDecay, 0, c.signal);

    let current: Float32Array | undefined;
    if (beta > 0) {
      current = kernels.snapshot(state).params;
      if (!averaged) averaged = current.slice();
      else for (let q = 0; q < current.length; q++) averaged[q] = beta * averaged[q] + (1 - beta) * current[q];
      kernels.writeParams(state, averaged);
    }
    const outputs = kernels.predict(state, xs, n);
    if (current) kernels.writeParams(state, current);
    const losses = memberLosses(shape, outputs, n, ys, (k) => splits[k].train);
    const valLosses = memberLosses(shape, outputs, n, ys, (k) => splits[k].validation);
    let improved = false;
    active = 0;
    for (let k = 0; k < shape.members; k++) {
      if (valLosses[k] < bestValLosses[k]) {
        bestValLosses[k] = valLosses[k];
        bestEpochs[k] = epoch;
        improved = true;
      }
      if (epoch - bestEpochs[k] < settings.patience) active++;
    }
    if (!Number.isFinite(mean(losses))) throw new RangeError('Ensemble training diverged (non-finite loss)');
    if (improved) {
      const scored = averaged ?? kernels.snapshot(state).params;
      for (let k = 0; k < shape.members; k++) if (bestEpochs[k] === epoch) copyMemberParams(layout, scored, best, k);
    }
    const done = active === 0 ? 1 : (epoch - firstEpoch) / settings.maxEpochs;
    lastProgress = {
      epoch,
      loss: mean(losses),
      valLoss: mean(valLosses),
      activeMembers: active,
      fraction: span[0] + (span[1] - span[0]) * done,
    };
    c.onProgress?.(lastProgress);
  }
  return { best, bestValLosses, bestEpochs, epochs: epoch, lastProgress };
}

/**
 * The continuation after inputs are cut: decay 0.1 instead of 0.3 (strong decay was there to hold
 * down the weights of noise inputs, which are now gone), a third of the learning rate (the members
 * start from trained parameters) and twice the patience.
 */
function continuationSettings(settings: Required<EnsembleOptions>): Required<EnsembleOptions> {
  return {
    ...settings,
    weightDecay: Math.min(settings.weightDecay, CONTINUATION_WEIGHT_DECAY),
    learningRate: settings.learningRate / 3,
    patience: 2 * settings.patience,
  };
}

/**
 * Per input, how much the members' held-out squared error grows when that input's column is
 * shuffled (Breiman's permutation importance), with the parameters `params`: per target in
 * standardized units, so a share of that target's variance, and the largest over the targets, so
 * that an input one output needs is kept.
 */
function inputImportance(c: PhaseContext, xs: Float32Array, params: Float32Array): number[] {
  const { kernels, state, shape, ys, n, splits } = c;
  const { members, targets } = shape;
  const width = networkOutputs(shape);
  kernels.writeParams(state, params);
  // Per target, the held-out squared error summed over members and their held-out rows.
  const heldOutErrors = (outputs: Float32Array) => {
    const sums = new Float64Array(targets);
    for (let k = 0; k < members; k++) {
      for (const i of splits[k].validation) {
        for (let t = 0; t < targets; t++) sums[t] += (outputs[(k * n + i) * width + t] - ys[i * targets + t]) ** 2;
      }
    }
    return sums;
  };
  const count = members * splits[0].validation.length;
  const base = heldOutErrors(kernels.predict(state, xs, n));
  const order = createRng(deriveSeed(c.seed, 3, 0)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const d = shape.inputs;
  const shuffled = xs.slice();
  return Array.from({ length: d }, (_, j) => {
    for (let i = 0; i < n; i++) shuffled[i * d + j] = xs[order[i] * d + j];
    const errors = heldOutErrors(kernels.predict(state, shuffled, n));
    for (let i = 0; i < n; i++) shuffled[i * d + j] = xs[i * d + j];
    let largest = -Infinity;
    for (let t = 0; t < targets; t++) largest = Math.max(largest, (errors[t] - base[t]) / count);
    return largest;
  });
}

/** Zeroes, in every member, the first-layer weights of the inputs marked dropped. */
function zeroInputWeights(layout: MlpLayout, shape: MlpShape, params: Float32Array, dropped: readonly boolean[]): void {
  const { fanOut, weightOffset } = layout.layers[0];
  for (let k = 0; k < shape.members; k++) {
    for (let j = 0; j < shape.inputs; j++) {
      if (dropped[j]) params.fill(0, weightOffset + (k * shape.inputs + j) * fanOut, weightOffset + (k * shape.inputs + j + 1) * fanOut);
    }
  }
}

/**
 * Per target, the noise variance: a member's squared error on its own held-out rows estimates
 * noise + that member's own error, and the latter is roughly the spread of the members there, which
 * predict adds back as model variance; so subtract the spread, keeping at least half the error
 * (the spread at a held-out row mixes members that trained on it and so understates the error).
 */
function heldOutNoiseVariance(
  shape: MlpShape,
  outputs: Float32Array,
  rows: number,
  ys: Float32Array,
  splits: readonly { validation: Int32Array }[],
): number[] {
  const { members, targets } = shape;
  const summary = summarizeMembers(shape, outputs, rows);
  const width = networkOutputs(shape);
  const noise = new Array<number>(targets);
  for (let t = 0; t < targets; t++) {
    let error = 0;
    let spread = 0;
    let count = 0;
    for (let k = 0; k < members; k++) {
      for (const i of splits[k].validation) {
        error += (outputs[(k * rows + i) * width + t] - ys[i * targets + t]) ** 2;
        spread += summary.memberVariance[i * targets + t];
        count++;
      }
    }
    noise[t] = Math.max(error - spread, 0.5 * error) / count;
  }
  return noise;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let q = 0; q < values.length; q++) s += values[q];
  return s / values.length;
}
