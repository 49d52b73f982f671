// The contract every regression model keeps, so that validation, model selection and the model
// file treat ridge, Gaussian processes and (later) the neural-network ensemble alike.
import type { Matrix } from './matrix.ts';

export interface Prediction {
  /** rows × outputs. */
  readonly mean: Matrix;
  /** Predictive standard deviation of a new observation: model uncertainty plus noise. */
  readonly std: Matrix;
  /** Standard deviation of the mean function alone (no observation noise). */
  readonly stdLatent: Matrix;
}

/** Plain JSON state of a fitted model: what goes into a model file. */
export interface SerializedModel {
  readonly kind: string;
  readonly version: number;
}

export interface Predictor<State extends SerializedModel = SerializedModel> {
  readonly kind: string;
  readonly inputs: number;
  readonly outputs: number;
  predict(x: Matrix): Prediction;
  /** predict's mean alone, where leaving the std out saves real work (a GP's solves). */
  predictMean?(x: Matrix): Matrix;
  /** Finite numbers, strings and arrays only, so that JSON.stringify round-trips it exactly. */
  toJSON(): State;
}

/**
 * What an iterative fit (the neural-network ensemble) learned at its latest epoch, for a live loss
 * curve. Cross-validation adds the fold, and auto the candidate, as they pass it along.
 */
export interface FitProgressDetail {
  readonly epoch: number;
  /** Training loss after this epoch. */
  readonly loss: number;
  /** Held-out loss after this epoch. */
  readonly valLoss: number;
  /** The cross-validation fold (0-based) of how many. */
  readonly fold?: number;
  readonly folds?: number;
  /** The auto candidate being cross-validated. */
  readonly candidate?: string;
}

/** Options every fit takes; model-specific settings are bound when the factory is made. */
export interface FitOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Fraction done, 0 to 1; iterative fits add the latest epoch's losses. */
  readonly onProgress?: (fraction: number, detail?: FitProgressDetail) => void;
}

/** One fit of several (ModelFactory.fitMany). */
export interface FitJob {
  readonly x: Matrix;
  readonly y: Matrix;
  readonly seed?: number;
}

export interface ManyFitOptions {
  readonly signal?: AbortSignal;
  /** Share of the jobs done, 0 to 1. */
  readonly onProgress?: (fraction: number) => void;
}

/** A named way to fit a model: what cross-validation and the auto selector work with. */
export interface ModelFactory {
  readonly name: string;
  fit(x: Matrix, y: Matrix, options?: FitOptions): Predictor;
  /**
   * Where a factory can fit on several threads: the models fit() gives for each job (same seed,
   * same numbers), in job order, fitted at once. Cross-validation uses it for its folds.
   */
  fitMany?(jobs: readonly FitJob[], options?: ManyFitOptions): Predictor[];
}
