// Variance-based sensitivity (Sobol' indices) of each output to each input, with inputs
// independent and uniform over their ranges (integer, stepped and categorical ones uniform over
// their levels). The A/B/AB_i scheme of Saltelli (2002, 2010): two independent N-point matrices
// A and B are the two halves of one scrambled Sobol' sequence of 2k dimensions, and AB_i is A
// with column i from B, so N·(k + 2) model evaluations give
//   first order  S_i  = mean(f_B (f_ABi − f_A)) / V        (Saltelli et al. 2010, Table 2 (b))
//   total        ST_i = mean((f_A − f_ABi)²) / (2V)        (Jansen 1999)
// with V the variance of f over A and B together, as SALib computes them. Confidence intervals
// are bootstrap percentiles over resampled rows (the same rows for every index).
import { compileSpace } from '../design/space.ts';
import { sobolPoints } from '../design/sobol-sequence.ts';
import type { VariableSpec } from '../optimize/problem.ts';
import { createRng } from '../optimize/rng.ts';
import { predictInChunks, type LongWorkOptions, type Model, type WorkProgress } from './model.ts';

export interface SobolOptions extends LongWorkOptions<WorkProgress> {
  /** Base samples N (default 1024; a power of two keeps the Sobol' net balanced). */
  readonly baseSamples?: number;
  /** Bootstrap resamples for the intervals (default 200; 0 skips them). */
  readonly bootstrap?: number;
  /** Level of the intervals (default 0.95). */
  readonly confidence?: number;
  /** Rows per model call (default 65,536): the whole A/B/AB matrix in few calls. */
  readonly chunkRows?: number;
  /**
   * Owen-scramble the Sobol' points with the seed (default false: the plain sequence after its
   * first 2^⌈log2 N⌉ points, as SALib). Measured on Ishigami at N = 1024 over 100 seeds, the
   * scrambled points give a median largest error of 0.010 on S and 0.006 on ST; the plain
   * sequence 0.012 and 0.0017. Scrambling makes repeated runs independent estimates instead.
   */
  readonly scramble?: boolean;
}

export interface SobolIndex {
  readonly variable: string;
  /** First-order index S_i: the share of variance explained by this input alone. */
  readonly first: number;
  readonly firstInterval: readonly [number, number];
  /** Total index ST_i: the share that involves this input, interactions included. */
  readonly total: number;
  readonly totalInterval: readonly [number, number];
}

export interface SobolResult {
  /** indices[output][variable], variables in spec order (fixed ones get 0). */
  readonly indices: SobolIndex[][];
  /** Variance of each output over the sampled inputs. */
  readonly variance: number[];
  readonly evaluations: number;
}

export async function sobolIndices(
  model: Model,
  variables: readonly VariableSpec[],
  options: SobolOptions = {},
): Promise<SobolResult> {
  const n = options.baseSamples ?? 1024;
  if (!Number.isInteger(n) || n < 2) throw new RangeError('baseSamples must be an integer of at least 2');
  const resamples = options.bootstrap ?? 200;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  const signal = options.signal;
  const space = compileSpace({ variables });
  const k = space.dimensions;
  if (k === 0) throw new RangeError('every variable is fixed; there is nothing to vary');
  const blocks = k + 2;
  const rows = n * blocks;
  const scramble = options.scramble ?? false;
  const skip = scramble ? 0 : Math.max(16, 2 ** Math.ceil(Math.log2(n)));
  const base = sobolPoints(n, 2 * k, { seed, scramble, skip });
  // Block 0 = A, block 1 = B, block 2 + i = AB_i.
  const unit = new Float64Array(rows * k);
  for (let r = 0; r < n; r++) {
    const a = base.subarray(r * 2 * k, r * 2 * k + k);
    const b = base.subarray(r * 2 * k + k, (r + 1) * 2 * k);
    unit.set(a, r * k);
    unit.set(b, (n + r) * k);
    for (let i = 0; i < k; i++) {
      const at = ((2 + i) * n + r) * k;
      unit.set(a, at);
      unit[at + i] = b[i];
    }
  }
  const columns = space.toColumns(space.toGenes(unit, rows), rows);
  const report = (fraction: number, stage: string): void => options.onProgress?.({ fraction, stage });
  const prediction = await predictInChunks(
    model,
    columns,
    rows,
    options.chunkRows ?? 65_536,
    (done) => report((0.8 * done) / rows, 'model'),
    signal,
  );

  const indices: SobolIndex[][] = [];
  const variance: number[] = [];
  const rng = createRng(seed + 1);
  const sample = new Int32Array(n);
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  const firstDraws = new Float64Array(resamples * k);
  const totalDraws = new Float64Array(resamples * k);
  const tail = (1 - confidence) / 2;

  prediction.mean.forEach((f, output) => {
    const estimate = (rowsUsed: Int32Array, first: Float64Array, total: Float64Array, offset: number): number => {
      let sum = 0;
      for (const r of rowsUsed) sum += f[r] + f[n + r];
      const mean = sum / (2 * n);
      let squares = 0;
      for (const r of rowsUsed) squares += (f[r] - mean) ** 2 + (f[n + r] - mean) ** 2;
      const v = squares / (2 * n);
      for (let i = 0; i < k; i++) {
        const ab = (2 + i) * n;
        let s1 = 0;
        let st = 0;
        for (const r of rowsUsed) {
          const fa = f[r];
          const fab = f[ab + r];
          s1 += f[n + r] * (fab - fa);
          st += (fa - fab) * (fa - fab);
        }
        first[offset + i] = v > 0 ? s1 / n / v : 0;
        total[offset + i] = v > 0 ? st / (2 * n) / v : 0;
      }
      return v;
    };
    const first = new Float64Array(k);
    const total = new Float64Array(k);
    variance.push(estimate(identity, first, total, 0));
    for (let b = 0; b < resamples; b++) {
      if (b % 50 === 0) signal?.throwIfAborted();
      for (let r = 0; r < n; r++) sample[r] = rng.int(n);
      estimate(sample, firstDraws, totalDraws, b * k);
    }
    report(0.8 + (0.2 * (output + 1)) / prediction.mean.length, 'bootstrap');
    indices.push(
      variables.map((variable, index) => {
        const i = space.geneOf[index];
        if (i < 0) return { variable: variable.name, first: 0, firstInterval: [0, 0], total: 0, totalInterval: [0, 0] };
        return {
          variable: variable.name,
          first: first[i],
          firstInterval: resamples > 0 ? percentileInterval(firstDraws, i, k, resamples, tail) : [first[i], first[i]],
          total: total[i],
          totalInterval: resamples > 0 ? percentileInterval(totalDraws, i, k, resamples, tail) : [total[i], total[i]],
        };
      }),
    );
  });
  return { indices, variance, evaluations: rows };
}

function percentileInterval(draws: Float64Array, i: number, k: number, count: number, tail: number): [number, number] {
  const values = new Float64Array(count);
  for (let b = 0; b < count; b++) values[b] = draws[b * k + i];
  values.sort();
  return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
}

/** Linear interpolation between order statistics (numpy's default "linear" method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
}
