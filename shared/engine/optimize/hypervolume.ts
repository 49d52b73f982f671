// Indicators over a set of objective vectors stored row-major (n × m, every objective
// minimised): exact hypervolume, the knee point, a pick by weighted desirability and the
// ε-constraint query.

/**
 * Exact hypervolume dominated by `values` (n × m, row-major, minimisation) and bounded by
 * `reference`. Points that do not strictly dominate the reference add nothing. Two
 * objectives: a sorted sweep, O(n log n). Three: slicing along the third objective over an
 * incrementally kept 2-D staircase, O(n²). More: hypervolume by slicing objectives (HSO,
 * While et al. 2006), exponential in m, for small sets only.
 */
export function hypervolume(values: ArrayLike<number>, m: number, reference: ArrayLike<number>): number {
  if (reference.length !== m) throw new RangeError(`Reference has ${reference.length} values, expected ${m}`);
  const n = Math.floor(values.length / m);
  const inside: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < m; j++) if (!(values[i * m + j] < reference[j])) ok = false;
    if (ok) inside.push(i);
  }
  if (inside.length === 0) return 0;
  if (m === 1) return reference[0] - Math.min(...inside.map((i) => values[i]));
  if (m === 2) return area2d(values, inside, reference[0], reference[1]);
  const points = inside.map((i) => Float64Array.from({ length: m }, (_, j) => values[i * m + j]));
  return slicedVolume(points, m, reference);
}

function slicedVolume(points: Float64Array[], m: number, reference: ArrayLike<number>): number {
  if (m === 3) return volume3d(points, reference);
  // Sweep the last objective upwards; each slab's cross-section is the (m−1)-volume of the
  // points already passed.
  const sorted = [...points].sort((a, b) => a[m - 1] - b[m - 1]);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1][m - 1] : reference[m - 1];
    const height = top - sorted[i][m - 1];
    if (height > 0) total += height * slicedVolume(sorted.slice(0, i + 1), m - 1, reference);
  }
  return total;
}

/** Area dominated by the listed rows of a row-major n × 2 array. */
function area2d(values: ArrayLike<number>, rows: number[], r0: number, r1: number): number {
  rows.sort((a, b) => values[2 * a] - values[2 * b] || values[2 * a + 1] - values[2 * b + 1]);
  let area = 0;
  let level = r1;
  // Visit the staircase left to right; each step that lowers f2 adds a strip up to r0.
  for (const i of rows) {
    const x = values[2 * i];
    const y = values[2 * i + 1];
    if (y < level) {
      area += (r0 - x) * (level - y);
      level = y;
    }
  }
  return area;
}

function volume3d(points: Float64Array[], reference: ArrayLike<number>): number {
  const sorted = [...points].sort((a, b) => a[2] - b[2]);
  // Staircase of points non-dominated in (f1, f2), f1 ascending and f2 descending.
  const xs: number[] = [];
  const ys: number[] = [];
  let area = 0;
  let volume = 0;
  const r0 = reference[0];
  const r1 = reference[1];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i];
    const x = p[0];
    const y = p[1];
    // First staircase point with xs[k] > x (binary search).
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    const dominated = lo > 0 && ys[lo - 1] <= y;
    if (!dominated) {
      // Drop the staircase points p dominates (x' ≥ x and y' ≥ y): a run starting at lo, or
      // at lo − 1 when that point shares p's x.
      let end = lo;
      while (end < xs.length && ys[end] >= y) end++;
      const start = lo > 0 && xs[lo - 1] === x ? lo - 1 : lo;
      xs.splice(start, end - start, x);
      ys.splice(start, end - start, y);
      area = 0;
      for (let k = 0; k < xs.length; k++) area += ((k + 1 < xs.length ? xs[k + 1] : r0) - xs[k]) * (r1 - ys[k]);
    }
    const top = i + 1 < sorted.length ? sorted[i + 1][2] : reference[2];
    volume += (top - p[2]) * area;
  }
  return volume;
}

/**
 * Index of the knee: after scaling each objective to [0, 1] over the set, the point farthest
 * below the hyperplane through the unit vectors (for two objectives, the line joining the
 * two extreme points; Das 1999, Deb & Gupta 2011). -1 for an empty set.
 */
export function kneePoint(values: ArrayLike<number>, m: number): number {
  const n = Math.floor(values.length / m);
  if (n === 0) return -1;
  const { low, span } = ranges(values, n, m);
  let best = -1;
  let bestSum = Infinity;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += span[j] > 0 ? (values[i * m + j] - low[j]) / span[j] : 0;
    if (sum < bestSum) {
      bestSum = sum;
      best = i;
    }
  }
  return best;
}

/**
 * Index of the point with the highest overall desirability (Derringer & Suich 1980): each
 * objective is scaled to a desirability dⱼ = (worst − f)/(worst − best) over the set, and the
 * score is the weighted geometric mean Πdⱼ^(wⱼ/Σw). Ties (for example every point at zero
 * on some objective) go to the higher weighted arithmetic mean. -1 for an empty set.
 */
export function pickByWeights(values: ArrayLike<number>, m: number, weights: ArrayLike<number>): number {
  if (weights.length !== m) throw new RangeError(`Got ${weights.length} weights for ${m} objectives`);
  const n = Math.floor(values.length / m);
  let totalWeight = 0;
  for (let j = 0; j < m; j++) {
    if (!(weights[j] >= 0)) throw new RangeError('Weights must be non-negative');
    totalWeight += weights[j];
  }
  if (totalWeight === 0) throw new RangeError('At least one weight must be positive');
  const { low, span } = ranges(values, n, m);
  let best = -1;
  let bestGeometric = -Infinity;
  let bestArithmetic = -Infinity;
  for (let i = 0; i < n; i++) {
    let logSum = 0;
    let arithmetic = 0;
    for (let j = 0; j < m; j++) {
      const w = weights[j] / totalWeight;
      const d = span[j] > 0 ? (low[j] + span[j] - values[i * m + j]) / span[j] : 1;
      arithmetic += w * d;
      if (w > 0) logSum += w * Math.log(d);
    }
    const geometric = Math.exp(logSum);
    if (geometric > bestGeometric || (geometric === bestGeometric && arithmetic > bestArithmetic)) {
      best = i;
      bestGeometric = geometric;
      bestArithmetic = arithmetic;
    }
  }
  return best;
}

export interface ColumnBound {
  readonly column: number;
  readonly min?: number;
  readonly max?: number;
}

/**
 * ε-constraint query on a set of rows (n × m, raw values): the row that minimises (or
 * maximises) `column` among rows inside every bound, e.g. "least cost with strength ≥ 50".
 * -1 when no row qualifies.
 */
export function epsilonConstraint(
  values: ArrayLike<number>,
  m: number,
  query: { readonly column: number; readonly sense: 'min' | 'max'; readonly bounds: readonly ColumnBound[] },
): number {
  const n = Math.floor(values.length / m);
  const sign = query.sense === 'min' ? 1 : -1;
  let best = -1;
  let bestValue = Infinity;
  for (let i = 0; i < n; i++) {
    const ok = query.bounds.every(({ column, min = -Infinity, max = Infinity }) => {
      const v = values[i * m + column];
      return v >= min && v <= max;
    });
    if (!ok) continue;
    const v = sign * values[i * m + query.column];
    if (v < bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** Indices of the rows no other row dominates (minimisation), in input order. */
export function nondominatedIndices(values: ArrayLike<number>, m: number): number[] {
  const n = Math.floor(values.length / m);
  const result: number[] = [];
  for (let i = 0; i < n; i++) {
    let dominated = false;
    for (let k = 0; k < n && !dominated; k++) {
      if (k === i) continue;
      let better = false;
      let worse = false;
      for (let j = 0; j < m; j++) {
        const a = values[k * m + j];
        const b = values[i * m + j];
        if (a < b) better = true;
        else if (a > b) worse = true;
      }
      dominated = better && !worse;
    }
    if (!dominated) result.push(i);
  }
  return result;
}

function ranges(values: ArrayLike<number>, n: number, m: number): { low: Float64Array; span: Float64Array } {
  const low = new Float64Array(m).fill(Infinity);
  const high = new Float64Array(m).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = values[i * m + j];
      if (v < low[j]) low[j] = v;
      if (v > high[j]) high[j] = v;
    }
  }
  const span = new Float64Array(m);
  for (let j = 0; j < m; j++) span[j] = high[j] - low[j];
  return { low, span };
}
