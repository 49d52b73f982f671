// The mini-batch order of a block of training steps (MlpBlockTraining.trainSteps), which the wasm
// kernels draw inside wasm/assembly/mlp.ts and every other kernel set replays from here, so that
// an ensemble trains on the same batches whichever kernels run it and however its members are
// split across workers.
import type { MlpEnsembleKernels, MlpEnsembleState } from './mlp-reference.ts';

/** Kernels that also train a block of steps in one call, drawing the batches themselves. */
export interface MlpBlockTraining {
  /**
   * `steps` training steps in one call, with the mini-batch order drawn inside: member k's rows are
   * memberRows[k·n … k·n + n − 1] (n = memberRows.length / members), reshuffled at the start of
   * every epoch of ⌈n / batchSize⌉ steps; trainStepsBatchIndices gives the same order.
   */
  trainSteps(
    state: MlpEnsembleState,
    batchX: Float32Array,
    batchY: Float32Array,
    memberRows: Int32Array,
    batchSize: number,
    steps: number,
    seed: number,
    learningRate: number,
    weightDecay: number,
    /** Index in the whole ensemble of this state's member 0 (default 0): a split ensemble draws the same batches. */
    firstMember?: number,
  ): void;
}

export function hasTrainSteps(kernels: MlpEnsembleKernels): kernels is MlpEnsembleKernels & MlpBlockTraining {
  return typeof (kernels as Partial<MlpBlockTraining>).trainSteps === 'function';
}

/** xorshift32 seed of member k: the same finalizer as memberSeed in wasm/assembly/mlp.ts. */
export function memberSeed(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 0x6d2b79f5 : h;
}

/**
 * The mini-batches trainSteps draws inside wasm, step by step (each members × batchSize, the
 * layout trainStep takes), so that a block of steps can be replayed one step at a time.
 */
export function trainStepsBatchIndices(
  memberRows: Int32Array,
  members: number,
  batchSize: number,
  steps: number,
  seed: number,
  firstMember = 0,
): Int32Array[] {
  const n = memberRows.length / members;
  const lists = Int32Array.from(memberRows);
  const rngs = Array.from({ length: members }, (_, k) => memberSeed(seed >>> 0, firstMember + k));
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const batches: Int32Array[] = [];
  for (let s = 0; s < steps; s++) {
    const e = s % stepsPerEpoch;
    const indices = new Int32Array(members * batchSize);
    for (let k = 0; k < members; k++) {
      const list = lists.subarray(k * n, (k + 1) * n);
      if (e === 0) {
        let x = rngs[k];
        for (let i = n - 1; i > 0; i--) {
          x = (x ^ (x << 13)) >>> 0;
          x = (x ^ (x >>> 17)) >>> 0;
          x = (x ^ (x << 5)) >>> 0;
          // ⌊x·(i+1) / 2³²⌋ is exact in doubles while x·(i+1) < 2⁵³.
          const j = Math.floor((x * (i + 1)) / 2 ** 32);
          const t = list[i];
          list[i] = list[j];
          list[j] = t;
        }
        rngs[k] = x;
      }
      for (let r = 0; r < batchSize; r++) indices[k * batchSize + r] = list[(e * batchSize + r) % n];
    }
    batches.push(indices);
  }
  return batches;
}


/**
 * `steps` training steps of a block: in one call through the kernels' block entry where they have
 * one, else replayed step by step on the batches that entry would draw (the same order either way).
 */
export function trainBlock(
  kernels: MlpEnsembleKernels,
  state: MlpEnsembleState,
  batchX: Float32Array,
  batchY: Float32Array,
  memberRows: Int32Array,
  batchSize: number,
  steps: number,
  seed: number,
  learningRate: number,
  weightDecay: number,
  firstMember = 0,
  signal?: AbortSignal,
): void {
  if (hasTrainSteps(kernels)) {
    kernels.trainSteps(state, batchX, batchY, memberRows, batchSize, steps, seed, learningRate, weightDecay, firstMember);
    return;
  }
  for (const indices of trainStepsBatchIndices(memberRows, state.shape.members, batchSize, steps, seed, firstMember)) {
    signal?.throwIfAborted();
    kernels.trainStep(state, batchX, batchY, indices, learningRate, weightDecay);
  }
}
