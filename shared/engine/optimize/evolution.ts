// The generational loop shared by NSGA-II and NSGA-III: (μ + λ) with μ = λ, binary
// tournaments for mating, and an environmental selection supplied by the algorithm. All
// state lives in row-major typed arrays that are allocated once and swapped each generation.
import { createRng, type Rng } from './rng.ts';
import { crossover, mutate, randomGenes, type GeneLayout, type VariationSettings } from './variation.ts';

/** A problem in gene space, with every objective minimised. */
export interface EncodedProblem extends GeneLayout {
  readonly objectiveCount: number;
  readonly constraintCount: number;
  /** Moves rows onto constraints handled exactly (for example linear equalities), in place. */
  repair?(genes: Float64Array, rows: number): void;
  /**
   * Evaluates `rows` rows of `genes` (rows × genes) into `objectives` (rows × objectiveCount)
   * and `violations` (rows × constraintCount; 0 where a constraint holds, else a positive
   * amount on a scale comparable across constraints).
   */
  evaluate(genes: Float64Array, rows: number, objectives: Float64Array, violations: Float64Array): void | Promise<void>;
}

export interface EvolutionProgress {
  readonly generation: number;
  readonly generations: number;
  readonly evaluations: number;
  /** Feasible members of the current population. */
  readonly feasible: number;
}

export interface EvolutionOptions {
  readonly populationSize?: number;
  /** Offspring generations after the initial population (evaluations = size × (1 + generations)). */
  readonly generations?: number;
  readonly seed?: number;
  /** Probability that a pair is crossed at all (default 0.9). */
  readonly crossoverProbability?: number;
  /** SBX distribution index (default 15). */
  readonly crossoverEta?: number;
  /** Polynomial mutation distribution index (default 20). */
  readonly mutationEta?: number;
  /** Per-gene mutation probability (default 1 / number of genes). */
  readonly mutationProbability?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EvolutionProgress) => void;
}

/** Environmental selection: which `keep` of `count` rows survive, with tournament keys. */
export interface Survival {
  select(
    objectives: Float64Array,
    cv: Float64Array,
    count: number,
    keep: number,
    rng: Rng,
  ): { survivors: Int32Array; rank: Int32Array; score: Float64Array };
}

export interface EvolutionResult {
  readonly size: number;
  readonly genes: Float64Array;
  readonly objectives: Float64Array;
  readonly violations: Float64Array;
  /** Total violation per member (0 = feasible). */
  readonly cv: Float64Array;
  /** Front number per member (0 = non-dominated under constraint domination). */
  readonly rank: Int32Array;
  readonly evaluations: number;
  /** Per constraint, how many evaluated points violated it over the whole run. */
  readonly violationCounts: Float64Array;
}

export const DEFAULT_POPULATION = 100;
export const DEFAULT_GENERATIONS = 250;

export async function evolve(problem: EncodedProblem, survival: Survival, options: EvolutionOptions = {}): Promise<EvolutionResult> {
  const v = problem.kinds.length;
  const m = problem.objectiveCount;
  const c = problem.constraintCount;
  const size = options.populationSize ?? DEFAULT_POPULATION;
  const generations = options.generations ?? DEFAULT_GENERATIONS;
  if (!Number.isInteger(size) || size < 4) throw new RangeError('populationSize must be an integer ≥ 4');
  if (!Number.isInteger(generations) || generations < 0) throw new RangeError('generations must be a non-negative integer');
  const settings: VariationSettings = {
    crossoverProbability: options.crossoverProbability ?? 0.9,
    crossoverEta: options.crossoverEta ?? 15,
    mutationEta: options.mutationEta ?? 20,
    mutationProbability: options.mutationProbability ?? 1 / Math.max(1, v),
  };
  const rng = createRng(options.seed ?? 1);
  const signal = options.signal;

  // Rows 0..size-1 hold the parents, rows size..2·size-1 their offspring.
  let genes: Float64Array = new Float64Array(2 * size * v);
  let objectives: Float64Array = new Float64Array(2 * size * m);
  let violations: Float64Array = new Float64Array(2 * size * c);
  let cv: Float64Array = new Float64Array(2 * size);
  let nextGenes: Float64Array = new Float64Array(2 * size * v);
  let nextObjectives: Float64Array = new Float64Array(2 * size * m);
  let nextViolations: Float64Array = new Float64Array(2 * size * c);
  let nextCv: Float64Array = new Float64Array(2 * size);
  let rank: Int32Array = new Int32Array(size);
  let score: Float64Array = new Float64Array(size);
  const violationCounts = new Float64Array(c);
  let evaluations = 0;

  const evaluateRows = async (first: number, rows: number): Promise<void> => {
    const g = genes.subarray(first * v, (first + rows) * v);
    problem.repair?.(g, rows);
    const o = objectives.subarray(first * m, (first + rows) * m);
    const w = violations.subarray(first * c, (first + rows) * c);
    w.fill(0);
    await problem.evaluate(g, rows, o, w);
    for (let i = 0; i < o.length; i++) if (Number.isNaN(o[i])) o[i] = Infinity;
    for (let r = 0; r < rows; r++) {
      let total = 0;
      for (let k = 0; k < c; k++) {
        const amount = w[r * c + k];
        if (amount > 0) {
          total += amount;
          violationCounts[k]++;
        } else if (Number.isNaN(amount)) {
          total = Infinity;
          violationCounts[k]++;
        }
      }
      cv[first + r] = total;
    }
    evaluations += rows;
  };

  const feasibleCount = (): number => {
    let count = 0;
    for (let i = 0; i < size; i++) if (cv[i] === 0) count++;
    return count;
  };

  signal?.throwIfAborted();
  randomGenes(problem, genes, size, rng);
  await evaluateRows(0, size);
  {
    const ranked = survival.select(objectives, cv, size, size, rng);
    gather(ranked.survivors);
    rank = ranked.rank;
    score = ranked.score;
  }
  options.onProgress?.({ generation: 0, generations, evaluations, feasible: feasibleCount() });

  const pool = new Int32Array(2 * size);
  const winners = new Int32Array(size);
  for (let generation = 1; generation <= generations; generation++) {
    signal?.throwIfAborted();
    // Each parent enters exactly two tournaments (two shuffled passes), as in Deb's code.
    for (let i = 0; i < size; i++) {
      pool[i] = i;
      pool[size + i] = i;
    }
    rng.shuffle(pool.subarray(0, size));
    rng.shuffle(pool.subarray(size));
    for (let t = 0; t < size; t++) {
      const a = pool[2 * t];
      const b = pool[2 * t + 1];
      winners[t] = rank[a] < rank[b] ? a : rank[b] < rank[a] ? b : score[a] > score[b] ? a : score[b] > score[a] ? b : rng.next() < 0.5 ? a : b;
    }
    for (let t = 0; t < size; t += 2) {
      const second = t + 1 < size ? winners[t + 1] : winners[0];
      crossover(problem, genes, winners[t], second, genes, size + t, t + 1 < size ? size + t + 1 : -1, settings, rng);
    }
    for (let t = 0; t < size; t++) mutate(problem, genes, size + t, settings, rng);
    await evaluateRows(size, size);
    const chosen = survival.select(objectives, cv, 2 * size, size, rng);
    gather(chosen.survivors);
    rank = chosen.rank;
    score = chosen.score;
    options.onProgress?.({ generation, generations, evaluations, feasible: feasibleCount() });
  }

  return {
    size,
    genes: genes.slice(0, size * v),
    objectives: objectives.slice(0, size * m),
    violations: violations.slice(0, size * c),
    cv: cv.slice(0, size),
    rank,
    evaluations,
    violationCounts,
  };

  /** Copies the chosen rows to the front of the spare buffers and swaps them in. */
  function gather(chosen: Int32Array): void {
    for (let r = 0; r < chosen.length; r++) {
      const from = chosen[r];
      nextGenes.set(genes.subarray(from * v, (from + 1) * v), r * v);
      nextObjectives.set(objectives.subarray(from * m, (from + 1) * m), r * m);
      nextViolations.set(violations.subarray(from * c, (from + 1) * c), r * c);
      nextCv[r] = cv[from];
    }
    [genes, nextGenes] = [nextGenes, genes];
    [objectives, nextObjectives] = [nextObjectives, objectives];
    [violations, nextViolations] = [nextViolations, violations];
    [cv, nextCv] = [nextCv, cv];
  }
}

