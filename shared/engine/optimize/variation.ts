// Variation operators over one row-major gene matrix. Continuous genes use simulated binary
// crossover and polynomial mutation in their bounded forms (Deb & Agrawal 1995; Deb's NSGA-II
// code, as in DEAP's cxSimulatedBinaryBounded / mutPolynomialBounded). Integer-coded genes
// (integers, and the step index of stepped variables) use the same operators followed by
// rounding (Deb & Goyal 1996). Categorical genes hold a category index: uniform crossover
// and a jump to a different category.
import type { Rng } from './rng.ts';

export const GENE_CONTINUOUS = 0;
export const GENE_INTEGER = 1;
export const GENE_CATEGORICAL = 2;

export interface GeneLayout {
  /** One of GENE_CONTINUOUS, GENE_INTEGER, GENE_CATEGORICAL per gene. */
  readonly kinds: Uint8Array;
  /** Bounds; for a categorical gene, 0 and the number of categories − 1. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export interface VariationSettings {
  readonly crossoverProbability: number;
  readonly crossoverEta: number;
  readonly mutationEta: number;
  readonly mutationProbability: number;
}

/** xᵏ by repeated squaring when k is a whole number (the usual η + 1), else Math.pow. */
function power(x: number, k: number): number {
  if (k !== Math.floor(k) || k < 0 || k > 64) return Math.pow(x, k);
  let result = 1;
  let base = x;
  for (let e = k; e > 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return result;
}

/** x^(1/k) for x > 0; exp∘log is about three times faster than Math.pow with a fraction in V8. */
function root(x: number, k: number): number {
  return Math.exp(Math.log(x) / k);
}

/** Fills rows of `genes` with uniform random values within the layout. */
export function randomGenes(layout: GeneLayout, genes: Float64Array, rows: number, rng: Rng): void {
  const v = layout.kinds.length;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < v; g++) {
      const lo = layout.lower[g];
      const hi = layout.upper[g];
      genes[r * v + g] = layout.kinds[g] === GENE_CONTINUOUS ? lo + rng.next() * (hi - lo) : lo + rng.int(hi - lo + 1);
    }
  }
}

/**
 * Writes two children of rows `a` and `b` of `parents` into rows `c1` and `c2` of `children`
 * (c2 < 0: only the first child is kept).
 */
export function crossover(
  layout: GeneLayout,
  parents: Float64Array,
  a: number,
  b: number,
  children: Float64Array,
  c1: number,
  c2: number,
  settings: VariationSettings,
  rng: Rng,
): void {
  const v = layout.kinds.length;
  const pa = a * v;
  const pb = b * v;
  const o1 = c1 * v;
  const o2 = c2 * v;
  const mate = rng.next() <= settings.crossoverProbability;
  const eta1 = settings.crossoverEta + 1;
  for (let g = 0; g < v; g++) {
    let x1 = parents[pa + g];
    let x2 = parents[pb + g];
    if (mate && rng.next() <= 0.5) {
      const kind = layout.kinds[g];
      if (kind === GENE_CATEGORICAL) {
        const t = x1;
        x1 = x2;
        x2 = t;
      } else if (Math.abs(x1 - x2) > 1e-14) {
        const lo = layout.lower[g];
        const hi = layout.upper[g];
        const y1 = Math.min(x1, x2);
        const y2 = Math.max(x1, x2);
        const u = rng.next();
        let beta = 1 + (2 * (y1 - lo)) / (y2 - y1);
        let alpha = 2 - 1 / power(beta, eta1);
        let betaQ = u <= 1 / alpha ? root(u * alpha, eta1) : root(1 / (2 - u * alpha), eta1);
        let child1 = 0.5 * (y1 + y2 - betaQ * (y2 - y1));
        beta = 1 + (2 * (hi - y2)) / (y2 - y1);
        alpha = 2 - 1 / power(beta, eta1);
        betaQ = u <= 1 / alpha ? root(u * alpha, eta1) : root(1 / (2 - u * alpha), eta1);
        let child2 = 0.5 * (y1 + y2 + betaQ * (y2 - y1));
        child1 = Math.min(Math.max(child1, lo), hi);
        child2 = Math.min(Math.max(child2, lo), hi);
        if (kind === GENE_INTEGER) {
          child1 = Math.min(Math.max(Math.round(child1), lo), hi);
          child2 = Math.min(Math.max(Math.round(child2), lo), hi);
        }
        if (rng.next() <= 0.5) {
          x1 = child2;
          x2 = child1;
        } else {
          x1 = child1;
          x2 = child2;
        }
      }
    }
    children[o1 + g] = x1;
    if (c2 >= 0) children[o2 + g] = x2;
  }
}

/** Mutates row `row` of `genes` in place. */
export function mutate(layout: GeneLayout, genes: Float64Array, row: number, settings: VariationSettings, rng: Rng): void {
  const v = layout.kinds.length;
  const eta1 = settings.mutationEta + 1;
  for (let g = 0; g < v; g++) {
    if (rng.next() >= settings.mutationProbability) continue;
    const i = row * v + g;
    const lo = layout.lower[g];
    const hi = layout.upper[g];
    const kind = layout.kinds[g];
    if (hi <= lo) continue;
    if (kind === GENE_CATEGORICAL) {
      const count = hi - lo + 1;
      // A different category, uniformly among the others.
      genes[i] = lo + ((genes[i] - lo + 1 + rng.int(count - 1)) % count);
      continue;
    }
    const x = genes[i];
    const delta1 = (x - lo) / (hi - lo);
    const delta2 = (hi - x) / (hi - lo);
    const u = rng.next();
    let deltaQ: number;
    if (u < 0.5) {
      const value = 2 * u + (1 - 2 * u) * power(1 - delta1, eta1);
      deltaQ = root(value, eta1) - 1;
    } else {
      const value = 2 * (1 - u) + 2 * (u - 0.5) * power(1 - delta2, eta1);
      deltaQ = 1 - root(value, eta1);
    }
    let y = Math.min(Math.max(x + deltaQ * (hi - lo), lo), hi);
    if (kind === GENE_INTEGER) {
      y = Math.round(y);
      // Rounding undoes most small steps on a narrow integer range; move at least one.
      if (y === x) y = deltaQ < 0 ? x - 1 : x + 1;
      y = Math.min(Math.max(y, lo), hi);
    }
    genes[i] = y;
  }
}
