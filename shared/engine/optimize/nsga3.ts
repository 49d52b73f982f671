// NSGA-III (Deb & Jain 2014; constraint handling as in Jain & Deb 2014) for four or more
// objectives, where crowding distance stops telling points apart. Survivors of the last
// front are chosen by niching around Das–Dennis reference directions after normalising the
// objectives by the hyperplane through the extreme points.
import { evolve, type EncodedProblem, type EvolutionOptions, type EvolutionResult, type Survival } from './evolution.ts';
import type { Rng } from './rng.ts';
import { solveLinear } from './linear-algebra.ts';
import { FrontSorter } from './sorting.ts';

/**
 * Das & Dennis (1998) directions: every point of the unit simplex whose coordinates are
 * multiples of 1/divisions; C(m + divisions − 1, divisions) rows of m values.
 */
export function referenceDirections(m: number, divisions: number): Float64Array {
  const rows: number[][] = [];
  const current = new Array<number>(m).fill(0);
  const place = (axis: number, left: number): void => {
    if (axis === m - 1) {
      current[axis] = left;
      rows.push(current.map((x) => x / divisions));
      return;
    }
    for (let x = left; x >= 0; x--) {
      current[axis] = x;
      place(axis + 1, left - x);
    }
  };
  place(0, divisions);
  return Float64Array.from(rows.flat());
}

function binomial(n: number, k: number): number {
  let value = 1;
  for (let i = 1; i <= k; i++) value = (value * (n - k + i)) / i;
  return Math.round(value);
}

/** The largest number of divisions whose direction count does not exceed `limit` (at least 1). */
export function divisionsFor(m: number, limit: number): number {
  let p = 1;
  while (binomial(m + p, p + 1) <= limit) p++;
  return p;
}

export function nsga3Survival(m: number, directions: Float64Array): Survival {
  const sorter = new FrontSorter();
  const h = directions.length / m;
  const directionNorm2 = new Float64Array(h);
  for (let d = 0; d < h; d++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += directions[d * m + j] ** 2;
    directionNorm2[d] = s;
  }
  let rankBuffer = new Int32Array(0);
  return {
    select(objectives, cv, count, keep, rng) {
      if (rankBuffer.length < count) rankBuffer = new Int32Array(count);
      const fronts = sorter.sort(objectives, count, m, cv, rankBuffer);
      const survivors = new Int32Array(keep);
      const rank = new Int32Array(keep);
      const score = new Float64Array(keep);
      let filled = 0;
      let last = 0;
      while (last < fronts.length && filled + fronts[last].length <= keep) {
        for (const i of fronts[last]) {
          survivors[filled] = i;
          rank[filled++] = last;
        }
        last++;
      }
      if (filled < keep) {
        const front = fronts[last];
        const chosen =
          cv[front[0]] > 0
            ? // An infeasible front shares one violation level: any members will do.
              rng.shuffle(Int32Array.from(front)).subarray(0, keep - filled)
            : niche(objectives, survivors.subarray(0, filled), front, keep - filled, rng);
        for (const i of chosen) {
          survivors[filled] = i;
          rank[filled++] = last;
        }
      }
      return { survivors, rank, score };
    },
  };

  function niche(objectives: Float64Array, settled: Int32Array, front: Int32Array, wanted: number, rng: Rng): Int32Array {
    const members = Int32Array.from([...settled, ...front]);
    const k = members.length;
    const normalized = normalize(objectives, m, members);
    const nearest = new Int32Array(k);
    const distance = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      let best = -1;
      let bestDistance = Infinity;
      for (let d = 0; d < h; d++) {
        let dot = 0;
        let norm2 = 0;
        for (let j = 0; j < m; j++) {
          const f = normalized[p * m + j];
          dot += f * directions[d * m + j];
          norm2 += f * f;
        }
        const perpendicular2 = norm2 - (dot * dot) / directionNorm2[d];
        if (perpendicular2 < bestDistance) {
          bestDistance = perpendicular2;
          best = d;
        }
      }
      nearest[p] = best;
      distance[p] = Math.sqrt(Math.max(0, bestDistance));
    }
    const nicheCount = new Int32Array(h);
    for (let p = 0; p < settled.length; p++) nicheCount[nearest[p]]++;
    const candidates: number[][] = Array.from({ length: h }, () => []);
    for (let p = settled.length; p < k; p++) candidates[nearest[p]].push(p);
    const open = new Uint8Array(h).fill(1);
    const chosen = new Int32Array(wanted);
    for (let taken = 0; taken < wanted; ) {
      let least = Infinity;
      const ties: number[] = [];
      for (let d = 0; d < h; d++) {
        if (!open[d]) continue;
        if (nicheCount[d] < least) {
          least = nicheCount[d];
          ties.length = 0;
        }
        if (nicheCount[d] === least) ties.push(d);
      }
      const d = ties[rng.int(ties.length)];
      const pool = candidates[d];
      if (pool.length === 0) {
        open[d] = 0;
        continue;
      }
      let pick = 0;
      if (nicheCount[d] === 0) {
        for (let q = 1; q < pool.length; q++) if (distance[pool[q]] < distance[pool[pick]]) pick = q;
      } else {
        pick = rng.int(pool.length);
      }
      chosen[taken++] = members[pool[pick]];
      pool.splice(pick, 1);
      nicheCount[d]++;
    }
    return chosen;
  }
}

/**
 * Translates by the ideal point and divides by the intercepts of the hyperplane through the
 * extreme points (achievement scalarising function with weights 1 and 1e-6). When that plane
 * is degenerate, the front's worst value per objective stands in (Blank, Deb & Roy 2019).
 */
function normalize(objectives: Float64Array, m: number, members: Int32Array): Float64Array {
  const k = members.length;
  const ideal = new Float64Array(m).fill(Infinity);
  const worst = new Float64Array(m).fill(-Infinity);
  for (const i of members) {
    for (let j = 0; j < m; j++) {
      ideal[j] = Math.min(ideal[j], objectives[i * m + j]);
      worst[j] = Math.max(worst[j], objectives[i * m + j]);
    }
  }
  const translated = new Float64Array(k * m);
  for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) translated[p * m + j] = objectives[members[p] * m + j] - ideal[j];
  const extremes = new Float64Array(m * m);
  for (let axis = 0; axis < m; axis++) {
    let best = 0;
    let bestValue = Infinity;
    for (let p = 0; p < k; p++) {
      let asf = 0;
      for (let j = 0; j < m; j++) asf = Math.max(asf, translated[p * m + j] / (j === axis ? 1 : 1e-6));
      if (asf < bestValue) {
        bestValue = asf;
        best = p;
      }
    }
    for (let j = 0; j < m; j++) extremes[axis * m + j] = translated[best * m + j];
  }
  const solution = solveLinear(extremes, new Float64Array(m).fill(1), m);
  const intercepts = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const a = solution === null ? NaN : 1 / solution[j];
    const fallback = worst[j] - ideal[j];
    intercepts[j] = Number.isFinite(a) && a > 1e-6 ? a : fallback > 1e-12 ? fallback : 1;
  }
  for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) translated[p * m + j] /= intercepts[j];
  return translated;
}

export interface Nsga3Options extends EvolutionOptions {
  /** Das–Dennis divisions; by default the most that fit the population size. */
  readonly divisions?: number;
}

/**
 * Runs NSGA-III. Without a population size, the population is the number of reference
 * directions rounded up to a multiple of four (92 for three objectives and 12 divisions).
 */
export function runNsga3(problem: EncodedProblem, options: Nsga3Options = {}): Promise<EvolutionResult> {
  const m = problem.objectiveCount;
  const divisions = options.divisions ?? divisionsFor(m, options.populationSize ?? defaultDirectionCount(m));
  const directions = referenceDirections(m, divisions);
  const populationSize = options.populationSize ?? Math.max(4, Math.ceil(directions.length / m / 4) * 4);
  return evolve(problem, nsga3Survival(m, directions), { ...options, populationSize });
}

/** Direction counts that give the customary populations (Deb & Jain 2014, Table I). */
function defaultDirectionCount(m: number): number {
  const table: Readonly<Record<number, number>> = { 2: 100, 3: 91, 4: 120, 5: 210, 6: 462 };
  return table[m] ?? 500;
}
