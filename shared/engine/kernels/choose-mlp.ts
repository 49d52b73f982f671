// Automatic choice among MLP-ensemble kernel sets. The first time an ensemble of a given shape and
// size is created, a short calibration (under `budgetMs`, 150 ms by default) times each candidate
// on that shape — one epoch-like block of training steps and a prediction, as fitEnsemble calls
// them — and the fastest serves every state of that kind from then on. Decisions can be
// remembered across sessions (the caller persists `decisions` and passes them back), and a user
// can force one candidate by name.
import { type MlpBlockTraining, trainBlock } from './mlp-batches.ts';
import { type MlpEnsembleKernels, type MlpEnsembleState, type MlpShape, type MlpWorkHint, mlpLayout, summarizeMembers } from './mlp-reference.ts';
import { seededFloat32 } from './self-test.ts';

export interface KernelTiming {
  readonly name: string;
  /** Training throughput reached in the calibration, FLOP/s (6 × parameters × rows per step); 0 when it failed or ran out of time. */
  readonly flopsPerSecond: number;
}

export interface KernelDecision {
  /** The workload: ensemble shape and a power-of-two bucket of rows. */
  readonly key: string;
  readonly chosen: string;
  /** Empty when the decision was remembered or forced rather than measured now. */
  readonly timings: readonly KernelTiming[];
  /** Milliseconds the calibration took. */
  readonly milliseconds: number;
}

export interface ChoosingOptions {
  /** Calibration time for all candidates together (default 150 ms). */
  readonly budgetMs?: number;
  /** Decisions from earlier sessions, key → kernel name. */
  readonly remembered?: Readonly<Record<string, string>>;
  /** A candidate's name to use always (null or unknown: choose automatically). */
  readonly forced?: string | null;
  /** Told of every new decision, e.g. to store it. */
  readonly onDecision?: (decision: KernelDecision) => void;
  readonly now?: () => number;
}

export interface ChoosingMlpKernels extends MlpEnsembleKernels, MlpBlockTraining {
  readonly candidates: readonly string[];
  /** Decisions so far, in order. */
  decisions(): readonly KernelDecision[];
  /** The kernels that serve states of this shape and size (calibrating them if needed). */
  choose(shape: MlpShape, hint?: MlpWorkHint): MlpEnsembleKernels;
}

const BATCH = 32;

/** The workload key: shape and the row count rounded up to a power of two. */
export function workloadKey(shape: MlpShape, rows: number | undefined): string {
  const bucket = rows === undefined || !Number.isFinite(rows) ? 'any' : String(2 ** Math.ceil(Math.log2(Math.max(1, rows))));
  return `${shape.members}m-${shape.inputs}-${shape.hidden.join('x')}-${shape.targets}-${shape.activation}-${shape.loss}-r${bucket}`;
}

/**
 * Times one candidate on the workload within `share` ms: a warm-up block, then blocks until the
 * share is spent. Returns FLOP/s of training (0 when even the warm-up did not fit or failed).
 */
function measure(kernels: MlpEnsembleKernels, shape: MlpShape, rows: number, hint: MlpWorkHint, share: number, now: () => number): number {
  const poolRows = Math.max(2, Math.min(rows, 512));
  const x = seededFloat32(poolRows * shape.inputs, 1);
  const y = seededFloat32(poolRows * shape.targets, 2);
  const params = seededFloat32(mlpLayout(shape).size, 3).map((v) => v * 0.3);
  const batch = Math.min(BATCH, poolRows);
  const steps = Math.max(1, Math.min(32, Math.ceil(rows / batch)));
  const memberRows = Int32Array.from({ length: shape.members * poolRows }, (_, q) => q % poolRows);
  const flopsPerBlock = 6 * mlpLayout(shape).size * batch * steps;
  const start = now();
  let state: MlpEnsembleState | null = null;
  try {
    state = kernels.createState(shape, params, hint);
    trainBlock(kernels, state, x, y, memberRows, batch, steps, 0, 1e-3, 1e-4);
    kernels.predict(state, x, poolRows);
    if (now() - start > share) return 0;
    let blocks = 0;
    const timed = now();
    do {
      trainBlock(kernels, state, x, y, memberRows, batch, steps, ++blocks, 1e-3, 1e-4);
      kernels.predict(state, x, poolRows);
    } while (now() - start < share && blocks < 64);
    const seconds = Math.max(1e-6, (now() - timed) / 1000);
    return (flopsPerBlock * blocks) / seconds;
  } catch {
    return 0;
  } finally {
    if (state) kernels.dispose(state);
  }
}

export function createChoosingMlpKernels(candidates: readonly MlpEnsembleKernels[], options: ChoosingOptions = {}): ChoosingMlpKernels {
  if (candidates.length === 0) throw new RangeError('No kernels to choose from');
  const { budgetMs = 150, remembered = {}, forced = null, onDecision, now = () => performance.now() } = options;
  const byName = new Map(candidates.map((k) => [k.name, k]));
  const forcedKernels = forced ? byName.get(forced) : undefined;
  const chosen = new Map<string, MlpEnsembleKernels>();
  const decisions: KernelDecision[] = [];
  for (const [key, name] of Object.entries(remembered)) {
    const kernels = byName.get(name);
    if (!kernels) continue;
    chosen.set(key, kernels);
    decisions.push({ key, chosen: name, timings: [], milliseconds: 0 });
  }
  const owner = new WeakMap<MlpEnsembleState, MlpEnsembleKernels>();

  const choose = (shape: MlpShape, hint: MlpWorkHint = {}): MlpEnsembleKernels => {
    if (forcedKernels) return forcedKernels;
    if (candidates.length === 1) return candidates[0];
    const key = workloadKey(shape, hint.rows);
    const known = chosen.get(key);
    if (known) return known;
    const started = now();
    const share = budgetMs / candidates.length;
    const rows = hint.rows ?? 256;
    const timings = candidates.map((kernels) => ({ name: kernels.name, flopsPerSecond: measure(kernels, shape, rows, hint, share, now) }));
    const best = timings.reduce((a, b) => (b.flopsPerSecond > a.flopsPerSecond ? b : a));
    // When nothing could be measured, the first candidate (the preferred one) serves.
    const winner = best.flopsPerSecond > 0 ? byName.get(best.name)! : candidates[0];
    chosen.set(key, winner);
    const decision: KernelDecision = { key, chosen: winner.name, timings, milliseconds: now() - started };
    decisions.push(decision);
    onDecision?.(decision);
    return winner;
  };

  const of = (state: MlpEnsembleState): MlpEnsembleKernels => {
    const kernels = owner.get(state);
    if (!kernels) throw new RangeError('This MLP state was not made by these kernels, or was disposed');
    return kernels;
  };

  return {
    name: forcedKernels ? forcedKernels.name : 'auto',
    candidates: candidates.map((k) => k.name),
    decisions: () => decisions,
    choose,
    createState(shape, params, hint) {
      const kernels = choose(shape, hint);
      const state = kernels.createState(shape, params, hint);
      owner.set(state, kernels);
      return state;
    },
    trainStep(state, x, y, indices, learningRate, weightDecay) {
      of(state).trainStep(state, x, y, indices, learningRate, weightDecay);
    },
    trainSteps(state, x, y, memberRows, batchSize, steps, seed, learningRate, weightDecay, firstMember = 0) {
      trainBlock(of(state), state, x, y, memberRows, batchSize, steps, seed, learningRate, weightDecay, firstMember);
    },
    predict: (state, x, rows) => of(state).predict(state, x, rows),
    predictSummary(state, x, rows) {
      const kernels = of(state);
      return kernels.predictSummary ? kernels.predictSummary(state, x, rows) : summarizeMembers(state.shape, kernels.predict(state, x, rows), rows);
    },
    snapshot: (state) => of(state).snapshot(state),
    writeParams: (state, params) => of(state).writeParams(state, params),
    dispose(state) {
      const kernels = of(state);
      owner.delete(state);
      kernels.dispose(state);
    },
  };
}
