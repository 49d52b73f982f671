// Turns a model file's JSON state back into a predictor, whatever the kind. A new model kind (the
// neural-network ensemble) adds its reader here and its factory to defaultCandidates in auto.ts.
import { type AutoState, autoFromJSON } from './auto.ts';
import { type EnsembleState, ensembleFromJSON } from './ensemble/ensemble.ts';
import { type ForestState, forestFromJSON } from './forest.ts';
import { type GpKernels, type GpState, gpFromJSON } from './gp.ts';
import { type RidgeState, ridgeFromJSON } from './ridge.ts';
import type { MlpEnsembleKernels } from '../kernels/mlp-reference.ts';
import type { Predictor, SerializedModel } from './types.ts';

/** Kernels a rebuilt predictor computes with (defaults: the plain-TS reference). */
export interface ModelKernels {
  readonly mlp?: MlpEnsembleKernels;
  readonly gp?: GpKernels;
}

type Reader = (state: SerializedModel, kernels: ModelKernels) => Predictor;

// Each reader checks kind, version and array lengths itself before trusting the state.
const readers: Readonly<Record<string, Reader>> = {
  ridge: (state) => ridgeFromJSON(state as RidgeState),
  gp: (state, kernels) => gpFromJSON(state as GpState, kernels.gp),
  forest: (state) => forestFromJSON(state as ForestState),
  'mlp-ensemble': (state, kernels) => ensembleFromJSON(state as EnsembleState, kernels.mlp),
  auto: (state, kernels) => autoFromJSON(state as AutoState, (part) => readModel(part, kernels)),
};

export function readModel(state: SerializedModel, kernels: ModelKernels = {}): Predictor {
  const reader = Object.hasOwn(readers, state.kind) ? readers[state.kind] : undefined;
  if (!reader) throw new RangeError('Unknown model kind');
  return reader(state, kernels);
}
