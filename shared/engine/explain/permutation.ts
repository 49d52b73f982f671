// Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019): how much held-out R²
// falls when one input column is shuffled, which breaks its link to the output while keeping
// its distribution. Computed on data the model did not see (cross-validation folds, each with
// the model trained without it), averaged over folds and repeats; the standard deviation is
// over those fold × repeat drops.
import { createRng } from '../optimize/rng.ts';
import type { LongWorkOptions, Model, WorkProgress } from './model.ts';

export interface HeldOutFold {
  /** The model trained without this fold. */
  readonly predict: Model;
  /** Held-out inputs, one column per input. */
  readonly columns: readonly Float64Array[];
  /** Held-out observed outputs, one array per output. */
  readonly targets: readonly Float64Array[];
}

export interface PermutationOptions extends LongWorkOptions<WorkProgress> {
  /** Shuffles per input and fold (default 5). */
  readonly repeats?: number;
  /** Input names for the ranking (default x1, x2, …). */
  readonly names?: readonly string[];
}

export interface PermutationImportance {
  readonly input: number;
  readonly name: string;
  /** Mean drop in R² when the input is shuffled. */
  readonly importance: number;
  readonly std: number;
}

export interface PermutationResult {
  /** Held-out R² without shuffling, per output (mean over folds). */
  readonly baseline: number[];
  /** importance[output][input], inputs in column order. */
  readonly importance: PermutationImportance[][];
  /** The same, largest drop first. */
  readonly ranking: PermutationImportance[][];
}

/** Coefficient of determination 1 − SS_res / SS_tot (NaN when the targets are constant). */
export function rSquared(observed: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = observed.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += observed[i];
  mean /= n;
  let residual = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    residual += (observed[i] - predicted[i]) ** 2;
    spread += (observed[i] - mean) ** 2;
  }
  return spread > 0 ? 1 - residual / spread : NaN;
}

export async function permutationImportance(folds: readonly HeldOutFold[], options: PermutationOptions = {}): Promise<PermutationResult> {
  if (folds.length === 0) throw new RangeError('at least one held-out fold is needed');
  const d = folds[0].columns.length;
  const outputs = folds[0].targets.length;
  if (d === 0 || outputs === 0) throw new RangeError('folds need inputs and targets');
  const repeats = Math.max(1, options.repeats ?? 5);
  const names = options.names ?? Array.from({ length: d }, (_, i) => `x${i + 1}`);
  const rng = createRng(options.seed ?? 0);
  // drops[output][input] holds one value per fold × repeat.
  const drops = Array.from({ length: outputs }, () => Array.from({ length: d }, () => [] as number[]));
  const baseline = new Array<number>(outputs).fill(0);

  for (const [f, fold] of folds.entries()) {
    if (fold.columns.length !== d || fold.targets.length !== outputs) throw new RangeError(`fold ${f} has other columns than fold 0`);
    const n = fold.targets[0].length;
    options.signal?.throwIfAborted();
    const base = await fold.predict(fold.columns, n);
    const baseR2 = fold.targets.map((target, k) => rSquared(target, base.mean[k]));
    baseR2.forEach((r2, k) => (baseline[k] += r2 / folds.length));
    for (let j = 0; j < d; j++) {
      options.signal?.throwIfAborted();
      // All repeats of one input in a single call: the other columns repeated, column j shuffled.
      const rows = n * repeats;
      const columns = fold.columns.map((column, c) => {
        const out = new Float64Array(rows);
        for (let t = 0; t < repeats; t++) {
          out.set(column.subarray(0, n), t * n);
          if (c === j) rng.shuffle(out.subarray(t * n, (t + 1) * n));
        }
        return out;
      });
      const prediction = await fold.predict(columns, rows);
      for (let k = 0; k < outputs; k++) {
        for (let t = 0; t < repeats; t++) {
          drops[k][j].push(baseR2[k] - rSquared(fold.targets[k], prediction.mean[k].subarray(t * n, (t + 1) * n)));
        }
      }
      options.onProgress?.({ fraction: (f * d + j + 1) / (folds.length * d), stage: 'permute' });
    }
  }

  const importance = drops.map((output) =>
    output.map((values, input) => {
      const mean = values.reduce((s, x) => s + x, 0) / values.length;
      const variance = values.length > 1 ? values.reduce((s, x) => s + (x - mean) ** 2, 0) / (values.length - 1) : 0;
      return { input, name: names[input], importance: mean, std: Math.sqrt(variance) };
    }),
  );
  const ranking = importance.map((output) => [...output].sort((a, b) => b.importance - a.importance || a.input - b.input));
  return { baseline, importance, ranking };
}
