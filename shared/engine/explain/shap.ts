// Shapley values of each input for each prediction (Lundberg & Lee 2017), interventional:
// the value of a coalition S for a row x is v(S) = mean over background rows z of
// f(x_S, z_rest), as KernelSHAP and TreeSHAP's interventional mode define it. With few inputs
// (≤ 10 by default) every coalition is evaluated and
//   φ_i = Σ_{S ∌ i} |S|! (d − |S| − 1)! / d! · (v(S ∪ {i}) − v(S))
// exactly; beyond that, permutation sampling (Štrumbelj & Kononenko 2014) with antithetic
// pairs (each order and its reverse), each permutation against the whole background. Both
// keep efficiency exactly: Σ_i φ_i = f(x) − E f, since the contributions along any order
// telescope.
import type { LongWorkOptions, Model, WorkProgress } from './model.ts';
import { createRng, type Rng } from '../optimize/rng.ts';

export interface ShapOptions extends LongWorkOptions<WorkProgress> {
  /** Enumerate all coalitions up to this many inputs (default 10); sample permutations beyond. */
  readonly maxExactInputs?: number;
  /** Permutations per row for the sampling estimator (default 64, rounded up to even). */
  readonly permutations?: number;
  /** Background rows used at most; a seeded subsample beyond (default 100). */
  readonly maxBackground?: number;
  /** Rows per model call (default 65,536). */
  readonly chunkRows?: number;
  /** Input names for the ranking (default x1, x2, …). */
  readonly names?: readonly string[];
}

export interface RankedInput {
  readonly input: number;
  readonly name: string;
  /** Mean |φ| over the explained rows. */
  readonly meanAbs: number;
}

export interface ShapResult {
  readonly method: 'exact' | 'permutation';
  /** E f over the background, per output. */
  readonly baseline: number[];
  /** values[output][input][row]. */
  readonly values: Float64Array[][];
  /** Inputs by mean |φ|, largest first, per output. */
  readonly ranking: RankedInput[][];
  readonly evaluations: number;
}

/** Rows to explain and background rows, column-wise (one column per input). */
export interface RowSet {
  readonly columns: readonly Float64Array[];
  readonly rows: number;
}

export async function shapValues(model: Model, explain: RowSet, background: RowSet, options: ShapOptions = {}): Promise<ShapResult> {
  const d = explain.columns.length;
  if (d === 0 || background.columns.length !== d) throw new RangeError('explained and background rows need the same inputs');
  if (background.rows < 1) throw new RangeError('at least one background row is needed');
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const signal = options.signal;
  const chunkRows = options.chunkRows ?? 65_536;
  const names = options.names ?? Array.from({ length: d }, (_, i) => `x${i + 1}`);
  const exact = d <= (options.maxExactInputs ?? 10);
  const pairs = Math.max(1, Math.ceil((options.permutations ?? 64) / 2));

  // Background subsample (seeded, without replacement) when it is large.
  const maxBackground = options.maxBackground ?? 100;
  let chosen = Array.from({ length: background.rows }, (_, i) => i);
  if (background.rows > maxBackground) chosen = Array.from(rng.shuffle(Int32Array.from(chosen)).subarray(0, maxBackground));
  const nb = chosen.length;
  const base = background.columns.map((column) => Float64Array.from(chosen, (r) => column[r]));

  let evaluations = 0;
  /** v(S) per output for `count` masks (count × d membership flags) at row values x. */
  const coalitionValues = async (x: Float64Array, masks: Uint8Array, count: number): Promise<Float64Array[]> => {
    const perCall = Math.max(1, Math.floor(chunkRows / nb));
    let result: Float64Array[] | null = null;
    for (let start = 0; start < count; start += perCall) {
      signal?.throwIfAborted();
      const m = Math.min(perCall, count - start);
      const columns = Array.from({ length: d }, () => new Float64Array(m * nb));
      for (let s = 0; s < m; s++) {
        for (let j = 0; j < d; j++) {
          const column = columns[j];
          if (masks[(start + s) * d + j]) column.fill(x[j], s * nb, (s + 1) * nb);
          else column.set(base[j], s * nb);
        }
      }
      const prediction = await model(columns, m * nb);
      evaluations += m * nb;
      if (result === null) result = prediction.mean.map(() => new Float64Array(count));
      prediction.mean.forEach((values, k) => {
        for (let s = 0; s < m; s++) {
          let sum = 0;
          for (let r = s * nb; r < (s + 1) * nb; r++) sum += values[r];
          (result as Float64Array[])[k][start + s] = sum / nb;
        }
      });
    }
    return result ?? [];
  };

  const n = explain.rows;
  let values: Float64Array[][] = [];
  let baseline: number[] = [];
  const x = new Float64Array(d);
  const allMasks = exact ? exactMasks(d) : null;
  const weights = exact ? shapleyWeights(d) : null;
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < d; j++) x[j] = explain.columns[j][row];
    let phi: Float64Array[];
    if (allMasks !== null && weights !== null) {
      const v = await coalitionValues(x, allMasks, 1 << d);
      baseline = v.map((output) => output[0]);
      phi = v.map((output) => exactShapley(output, d, weights));
    } else {
      const result = await sampledShapley(x, d, pairs, rng, coalitionValues);
      baseline = result.baseline;
      phi = result.phi;
    }
    if (row === 0) values = phi.map(() => Array.from({ length: d }, () => new Float64Array(n)));
    phi.forEach((output, k) => output.forEach((value, j) => (values[k][j][row] = value)));
    options.onProgress?.({ fraction: (row + 1) / n, stage: exact ? 'exact' : 'permutation' });
  }
  const ranking = values.map((output) =>
    output
      .map((column, input) => ({ input, name: names[input], meanAbs: column.reduce((s, value) => s + Math.abs(value), 0) / n }))
      .sort((a, b) => b.meanAbs - a.meanAbs || a.input - b.input),
  );
  return { method: exact ? 'exact' : 'permutation', baseline, values, ranking, evaluations };
}

/** All 2^d coalitions; coalition s holds input j when bit j of s is set. */
function exactMasks(d: number): Uint8Array {
  const count = 1 << d;
  const masks = new Uint8Array(count * d);
  for (let s = 0; s < count; s++) for (let j = 0; j < d; j++) masks[s * d + j] = (s >> j) & 1;
  return masks;
}

/** |S|! (d − |S| − 1)! / d! by coalition size. */
function shapleyWeights(d: number): Float64Array {
  const weights = new Float64Array(d);
  for (let size = 0; size < d; size++) {
    // 1 / (d · C(d − 1, size)), built as a product to stay exact for small d.
    let binomial = 1;
    for (let t = 1; t <= size; t++) binomial = (binomial * (d - 1 - size + t)) / t;
    weights[size] = 1 / (d * binomial);
  }
  return weights;
}

function exactShapley(v: Float64Array, d: number, weights: Float64Array): Float64Array {
  const phi = new Float64Array(d);
  for (let s = 0; s < 1 << d; s++) {
    let size = 0;
    for (let t = s; t > 0; t &= t - 1) size++;
    for (let j = 0; j < d; j++) {
      if ((s >> j) & 1) continue;
      phi[j] += weights[size] * (v[s | (1 << j)] - v[s]);
    }
  }
  return phi;
}

async function sampledShapley(
  x: Float64Array,
  d: number,
  pairs: number,
  rng: Rng,
  coalitionValues: (x: Float64Array, masks: Uint8Array, count: number) => Promise<Float64Array[]>,
): Promise<{ baseline: number[]; phi: Float64Array[] }> {
  // Each order walks from the empty coalition to the full one: d + 1 coalitions.
  const orders = 2 * pairs;
  const order = Int32Array.from({ length: d }, (_, i) => i);
  const permutations = new Int32Array(orders * d);
  for (let p = 0; p < pairs; p++) {
    rng.shuffle(order);
    for (let t = 0; t < d; t++) {
      permutations[2 * p * d + t] = order[t];
      permutations[(2 * p + 1) * d + t] = order[d - 1 - t];
    }
  }
  const steps = d + 1;
  const masks = new Uint8Array(orders * steps * d);
  for (let p = 0; p < orders; p++) {
    for (let t = 1; t < steps; t++) {
      const at = (p * steps + t) * d;
      masks.copyWithin(at, at - d, at);
      masks[at + permutations[p * d + t - 1]] = 1;
    }
  }
  const v = await coalitionValues(x, masks, orders * steps);
  const phi = v.map((output) => {
    const result = new Float64Array(d);
    for (let p = 0; p < orders; p++) {
      for (let t = 1; t < steps; t++) {
        const j = permutations[p * d + t - 1];
        result[j] += output[p * steps + t] - output[p * steps + t - 1];
      }
    }
    return result.map((value) => value / orders);
  });
  return { baseline: v.map((output) => output[0]), phi };
}
