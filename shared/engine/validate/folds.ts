// Seeded K-fold splits: shuffled once per repeat, fold sizes differing by at most one (the first
// rows mod k folds get the extra row, as scikit-learn's KFold), and leave-one-out for small tables,
// where five folds would leave too few rows to fit on.
import { createRng, deriveSeed } from '../models/rng.ts';

export interface Fold {
  readonly repeat: number;
  readonly index: number;
  /** Row indices, ascending. */
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export interface FoldOptions {
  /** Number of folds (default 5). */
  readonly folds?: number;
  /** Repetitions with fresh shuffles (default 1; leave-one-out is never repeated). */
  readonly repeats?: number;
  readonly seed?: number;
  /** Below this many rows, leave-one-out is used instead (default 30). */
  readonly leaveOneOutBelow?: number;
  /**
   * Explicit test folds (each row in exactly one), e.g. one per batch, or another tool's split to
   * compare against it on equal terms. When given, folds, repeats, seed and leave-one-out are unused.
   */
  readonly testFolds?: readonly (readonly number[])[];
}

export interface FoldPlan {
  readonly folds: readonly Fold[];
  readonly foldCount: number;
  readonly repeats: number;
  readonly leaveOneOut: boolean;
}

export function planFolds(rows: number, options: FoldOptions = {}): FoldPlan {
  const { folds = 5, repeats = 1, seed = 0, leaveOneOutBelow = 30, testFolds } = options;
  if (!Number.isInteger(rows) || rows < 2) throw new RangeError('Cross-validation needs at least two rows');
  if (testFolds) return explicitFolds(rows, testFolds);
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError('Cross-validation needs at least two folds');
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError('Repeats must be a positive integer');
  const leaveOneOut = rows < leaveOneOutBelow || folds >= rows;
  const foldCount = leaveOneOut ? rows : folds;
  const repeatCount = leaveOneOut ? 1 : repeats;
  const out: Fold[] = [];
  for (let repeat = 0; repeat < repeatCount; repeat++) {
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    if (!leaveOneOut) createRng(deriveSeed(seed, repeat)).shuffle(order);
    const base = Math.floor(rows / foldCount);
    const extra = rows % foldCount;
    let start = 0;
    for (let index = 0; index < foldCount; index++) {
      const size = base + (index < extra ? 1 : 0);
      const test = order.slice(start, start + size).sort();
      const inTest = new Uint8Array(rows);
      for (const i of test) inTest[i] = 1;
      const train = new Int32Array(rows - size);
      let t = 0;
      for (let i = 0; i < rows; i++) if (!inTest[i]) train[t++] = i;
      out.push({ repeat, index, train, test });
      start += size;
    }
  }
  return { folds: out, foldCount, repeats: repeatCount, leaveOneOut };
}

function explicitFolds(rows: number, testFolds: readonly (readonly number[])[]): FoldPlan {
  const seen = new Uint8Array(rows);
  const out = testFolds.map((indices, index): Fold => {
    const test = Int32Array.from(indices).sort();
    for (const i of test) {
      if (!Number.isInteger(i) || i < 0 || i >= rows || seen[i]) throw new RangeError('Each row must be in exactly one test fold');
      seen[i] = 1;
    }
    const inTest = new Uint8Array(rows);
    for (const i of test) inTest[i] = 1;
    const train = Int32Array.from({ length: rows - test.length });
    let t = 0;
    for (let i = 0; i < rows; i++) if (!inTest[i]) train[t++] = i;
    return { repeat: 0, index, train, test };
  });
  if (seen.some((v) => v === 0) || out.length < 2) throw new RangeError('Each row must be in exactly one test fold');
  return { folds: out, foldCount: out.length, repeats: 1, leaveOneOut: out.every((f) => f.test.length === 1) };
}
