// Model factories beyond ridge and the Gaussian processes, by model choice.
import type { TrainOptions } from '../../shared/engine/train/train.ts';

export const extraCandidates: TrainOptions['extraCandidates'] = {};
