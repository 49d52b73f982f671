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
  /** Finite numbers, strings and arrays only, so that JSON.stringify round-trips it exactly. */
  toJSON(): State;
}

/** Options every fit takes; model-specific settings are bound when the factory is made. */
export interface FitOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Fraction done, 0 to 1. */
  readonly onProgress?: (fraction: number) => void;
}

/** A named way to fit a model: what cross-validation and the auto selector work with. */
export interface ModelFactory {
  readonly name: string;
  fit(x: Matrix, y: Matrix, options?: FitOptions): Predictor;
}
