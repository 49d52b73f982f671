// Latin hypercubes in the unit cube (McKay, Beckman & Conover 1979): each coordinate puts
// exactly one point in each of n equal strata. The maximin variant keeps the best of several
// random hypercubes and then improves it by swapping two points' values in one coordinate
// (which keeps the strata), accepting swaps that lower the Morris–Mitchell criterion
// φ_p = (Σ d_ij^−p)^(1/p) (p = 15); φ_p is a smooth stand-in for the minimum distance that
// can be updated in O(n·d) per swap, where the minimum itself would need O(n²).
import type { Rng } from '../optimize/rng.ts';

/** n points, row-major n × d, one per stratum in every coordinate. */
export function randomLatinHypercube(n: number, d: number, rng: Rng): Float64Array {
  const out = new Float64Array(n * d);
  const order = new Int32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) order[i] = i;
    rng.shuffle(order);
    for (let i = 0; i < n; i++) out[i * d + j] = (order[i] + rng.next()) / n;
  }
  return out;
}

/** Smallest Euclidean distance between two rows of a row-major n × d matrix. */
export function minimumDistance(points: Float64Array, n: number, d: number): number {
  let best = Infinity;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = points[a * d + j] - points[b * d + j];
        s += t * t;
      }
      if (s < best) best = s;
    }
  }
  return Math.sqrt(best);
}

export interface MaximinOptions {
  /** Random hypercubes to start from; the best by minimum distance is kept (default 10). */
  readonly restarts?: number;
  /** Swap attempts after the restarts (default 20·n·d, at most 100,000). */
  readonly swaps?: number;
}

const P = 15;

export function maximinLatinHypercube(n: number, d: number, rng: Rng, options: MaximinOptions = {}): Float64Array {
  const restarts = Math.max(1, options.restarts ?? 10);
  let best = randomLatinHypercube(n, d, rng);
  let bestDistance = minimumDistance(best, n, d);
  for (let r = 1; r < restarts; r++) {
    const candidate = randomLatinHypercube(n, d, rng);
    const distance = minimumDistance(candidate, n, d);
    if (distance > bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (n < 3) return best;
  const swaps = options.swaps ?? Math.min(100_000, 20 * n * d);
  // Pairwise terms d_ij^−p; squared distances are floored at 1e-20 so that coinciding points
  // give a huge but finite term (1e150) and differences of terms stay numbers.
  const terms = new Float64Array(n * n);
  const inverse = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = best[a * d + j] - best[b * d + j];
      s += t * t;
    }
    return Math.pow(Math.max(s, 1e-20), -P / 2);
  };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const t = inverse(a, b);
      terms[a * n + b] = t;
      terms[b * n + a] = t;
    }
  }
  const rowA = new Float64Array(n);
  const rowB = new Float64Array(n);
  for (let s = 0; s < swaps; s++) {
    const a = rng.int(n);
    let b = rng.int(n - 1);
    if (b >= a) b++;
    const j = rng.int(d);
    swap(best, a * d + j, b * d + j);
    let change = 0;
    for (let c = 0; c < n; c++) {
      if (c === a || c === b) continue;
      rowA[c] = inverse(a, c);
      rowB[c] = inverse(b, c);
      change += rowA[c] - terms[a * n + c] + rowB[c] - terms[b * n + c];
    }
    if (change < 0) {
      for (let c = 0; c < n; c++) {
        if (c === a || c === b) continue;
        terms[a * n + c] = terms[c * n + a] = rowA[c];
        terms[b * n + c] = terms[c * n + b] = rowB[c];
      }
    } else {
      swap(best, a * d + j, b * d + j);
    }
  }
  return best;
}

function swap(array: Float64Array, i: number, j: number): void {
  const t = array[i];
  array[i] = array[j];
  array[j] = t;
}
