// Space-filling plans of experiments: a maximin Latin hypercube or scrambled Sobol' points in
// the variables' ranges, meeting every constraint. Bounds, fixed values, integer/step/category
// levels and linear equalities hold by construction (see space.ts). Inequalities are met by
// rejection: when some points of the plan violate one, candidates are drawn in rounds (bounded)
// until enough feasible ones are found, and the plan is then picked from them so that it
// spreads over the feasible set (farthest-point seeds refined by k-means).
import type { LongWorkOptions, WorkProgress } from '../explain/model.ts';
import { createRng } from '../optimize/rng.ts';
import { maximinLatinHypercube, minimumDistance, randomLatinHypercube } from './latin-hypercube.ts';
import { sobolPoints } from './sobol-sequence.ts';
import { compileSpace, DesignError, type CompiledSpace, type DesignSpace } from './space.ts';

export type DesignMethod = 'lhs' | 'sobol';

export interface DesignOptions extends LongWorkOptions<WorkProgress> {
  /** Maximin Latin hypercube (default) or scrambled Sobol' points. */
  readonly method?: DesignMethod;
  /** Random hypercubes tried by the maximin search (default 10). */
  readonly restarts?: number;
  /** Swap attempts of the maximin search (default 20·n·d, at most 100,000). */
  readonly swaps?: number;
  /** Candidate rounds when inequalities reject points (default 10). */
  readonly maxRounds?: number;
  /** Most candidates drawn in all rounds together (default max(20,000, 50·n)). */
  readonly maxCandidates?: number;
  /**
   * When inequalities reject points, spread the plan over the feasible candidates (default
   * true); false keeps the first feasible ones in sequence order, which is enough (and much
   * cheaper) for a large candidate pool.
   */
  readonly spread?: boolean;
}

export interface Design {
  readonly rows: number;
  /** One column per variable in spec order, as a model sees it (categories by index or value). */
  readonly columns: Float64Array[];
  /** Genes (the optimizer's encoding), rows × space.dimensions. */
  readonly genes: Float64Array;
  /** Smallest distance between two points, genes scaled to [0, 1]. */
  readonly minDistance: number;
  /** Share of drawn candidates that met every constraint (1 without inequalities). */
  readonly feasibleFraction: number;
  readonly candidatesDrawn: number;
}

export async function createDesign(space: DesignSpace | CompiledSpace, n: number, options: DesignOptions = {}): Promise<Design> {
  if (!Number.isInteger(n) || n < 1) throw new DesignError('the number of points must be a positive integer');
  const compiled = 'toGenes' in space ? space : compileSpace(space);
  const d = compiled.dimensions;
  if (d === 0) throw new DesignError('every variable is fixed; there is nothing to vary');
  const method = options.method ?? 'lhs';
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const signal = options.signal;
  const progress = (fraction: number, stage: string): void => options.onProgress?.({ fraction, stage });

  let sobolOffset = 0;
  const unitPoints = (count: number, spread: boolean): Float64Array => {
    if (method === 'sobol') {
      const points = sobolPoints(count, d, { seed, skip: sobolOffset });
      sobolOffset += count;
      return points;
    }
    return spread
      ? maximinLatinHypercube(count, d, rng, { restarts: options.restarts, swaps: options.swaps })
      : randomLatinHypercube(count, d, rng);
  };

  progress(0, 'plan');
  const first = compiled.toGenes(unitPoints(n, true), n);
  const firstFeasible = await feasibleRows(compiled, first, n);
  if (firstFeasible.indices.length === n) {
    progress(1, 'done');
    return finish(compiled, first, n, 1, n);
  }

  // Rejection: gather feasible candidates, aiming at four per point so that the choice
  // among them has room to spread the plan.
  const maxRounds = options.maxRounds ?? 10;
  const maxCandidates = options.maxCandidates ?? Math.max(20_000, 50 * n);
  const spread = options.spread ?? true;
  const wanted = spread ? 4 * n : n;
  const pool: Float64Array[] = firstFeasible.indices.map((r) => first.slice(r * d, (r + 1) * d));
  let drawn = n;
  const violatedCount = firstFeasible.violatedCount;
  for (let round = 0; round < maxRounds && pool.length < wanted && drawn < maxCandidates; round++) {
    signal?.throwIfAborted();
    progress(round / maxRounds, 'rejection');
    const fraction = Math.max(pool.length / drawn, 1 / drawn);
    const count = Math.min(maxCandidates - drawn, Math.max(n, Math.ceil((1.2 * (wanted - pool.length)) / fraction)));
    const genes = compiled.toGenes(unitPoints(count, false), count);
    const feasible = await feasibleRows(compiled, genes, count);
    for (const r of feasible.indices) pool.push(genes.slice(r * d, (r + 1) * d));
    feasible.violatedCount.forEach((c, k) => (violatedCount[k] += c));
    drawn += count;
  }
  const feasibleFraction = pool.length / drawn;
  if (pool.length < n) {
    let worst = 0;
    violatedCount.forEach((c, k) => {
      if (c > violatedCount[worst]) worst = k;
    });
    throw new DesignError(
      `only ${pool.length} of ${drawn} candidate points (${(100 * feasibleFraction).toPrecision(2)} %) meet every constraint, ` +
        `fewer than the ${n} asked for; "${compiled.constraints[worst]}" rejects ` +
        `${(100 * (violatedCount[worst] / drawn)).toPrecision(3)} % of them. Widen the bounds or loosen the constraints.`,
    );
  }
  const chosen = spread ? spreadSelection(compiled, pool, n) : Array.from({ length: n }, (_, i) => i);
  const genes = new Float64Array(n * d);
  chosen.forEach((index, r) => genes.set(pool[index], r * d));
  progress(1, 'done');
  return finish(compiled, genes, n, feasibleFraction, drawn);
}

function finish(space: CompiledSpace, genes: Float64Array, n: number, feasibleFraction: number, drawn: number): Design {
  return {
    rows: n,
    columns: space.toColumns(genes, n),
    genes,
    minDistance: n > 1 ? minimumDistance(space.normalize(genes, n), n, space.dimensions) : Infinity,
    feasibleFraction,
    candidatesDrawn: drawn,
  };
}

/** Rows meeting every constraint, and per constraint how many rows violate it. */
export async function feasibleRows(
  space: CompiledSpace,
  genes: Float64Array,
  rows: number,
): Promise<{ indices: number[]; violatedCount: number[] }> {
  const c = space.constraints.length;
  const violations = await space.violations(genes, rows);
  const indices: number[] = [];
  const violatedCount = new Array<number>(c).fill(0);
  for (let r = 0; r < rows; r++) {
    let ok = true;
    for (let k = 0; k < c; k++) {
      if (violations[r * c + k] > 0) {
        ok = false;
        violatedCount[k]++;
      }
    }
    if (ok) indices.push(r);
  }
  return { indices, violatedCount };
}

/**
 * `n` rows of `pool` spread over it: farthest-point selection first, then Lloyd iterations
 * (k-means with the chosen points as seeds) and each centroid replaced by the nearest unused
 * pool row. Farthest-point selection alone crowds the corners and edges of the feasible set;
 * the centroids pull the plan back to cover its interior evenly (a centroidal Voronoi design).
 */
function spreadSelection(space: CompiledSpace, pool: readonly Float64Array[], n: number): number[] {
  const d = space.dimensions;
  const m = pool.length;
  const flat = new Float64Array(m * d);
  pool.forEach((row, i) => flat.set(row, i * d));
  const points = space.normalize(flat, m);
  const distance = (i: number, centres: Float64Array, c: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = points[i * d + j] - centres[c * d + j];
      s += t * t;
    }
    return s;
  };

  const nearest = new Float64Array(m).fill(Infinity);
  const chosen: number[] = [];
  let next = 0;
  for (let k = 0; k < n; k++) {
    chosen.push(next);
    nearest[next] = -1;
    let best = -1;
    for (let i = 0; i < m; i++) {
      if (nearest[i] < 0) continue;
      nearest[i] = Math.min(nearest[i], distance(i, points, next));
      if (best < 0 || nearest[i] > nearest[best]) best = i;
    }
    next = best;
  }

  const centres = new Float64Array(n * d);
  chosen.forEach((i, c) => centres.set(points.subarray(i * d, (i + 1) * d), c * d));
  const owner = new Int32Array(m);
  const sizes = new Int32Array(n);
  for (let iteration = 0; iteration < 10; iteration++) {
    for (let i = 0; i < m; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < n; c++) {
        const t = distance(i, centres, c);
        if (t < bestDistance) {
          bestDistance = t;
          best = c;
        }
      }
      owner[i] = best;
    }
    centres.fill(0);
    sizes.fill(0);
    for (let i = 0; i < m; i++) {
      sizes[owner[i]]++;
      for (let j = 0; j < d; j++) centres[owner[i] * d + j] += points[i * d + j];
    }
    for (let c = 0; c < n; c++) {
      if (sizes[c] === 0) centres.set(points.subarray(chosen[c] * d, (chosen[c] + 1) * d), c * d);
      else for (let j = 0; j < d; j++) centres[c * d + j] /= sizes[c];
    }
  }
  const used = new Uint8Array(m);
  return Array.from({ length: n }, (_, c) => {
    let best = -1;
    for (let i = 0; i < m; i++) if (!used[i] && (best < 0 || distance(i, centres, c) < distance(best, centres, c))) best = i;
    used[best] = 1;
    return best;
  });
}
