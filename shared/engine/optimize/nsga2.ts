// NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002) with constraint domination (Deb 2000).
// The last front that does not fit is thinned one point at a time with updated crowding
// distances (Kukkonen & Deb 2006) instead of by one sort, which spreads the front more evenly.
import { evolve, type EncodedProblem, type EvolutionOptions, type EvolutionResult, type Survival } from './evolution.ts';
import { crowdingDistance, FrontSorter, pruneByCrowding } from './sorting.ts';

export function nsga2Survival(m: number): Survival {
  const sorter = new FrontSorter();
  let rankBuffer = new Int32Array(0);
  return {
    select(objectives, cv, count, keep) {
      if (rankBuffer.length < count) rankBuffer = new Int32Array(count);
      const fronts = sorter.sort(objectives, count, m, cv, rankBuffer);
      const survivors = new Int32Array(keep);
      const rank = new Int32Array(keep);
      const score = new Float64Array(keep);
      let filled = 0;
      for (let f = 0; f < fronts.length && filled < keep; f++) {
        const front = fronts[f];
        if (filled + front.length <= keep) {
          const distance = crowdingDistance(objectives, m, front);
          for (let p = 0; p < front.length; p++, filled++) {
            survivors[filled] = front[p];
            rank[filled] = f;
            score[filled] = distance[p];
          }
        } else {
          const { positions, distance } = pruneByCrowding(objectives, m, front, keep - filled);
          for (let p = 0; p < positions.length; p++, filled++) {
            survivors[filled] = front[positions[p]];
            rank[filled] = f;
            score[filled] = distance[p];
          }
        }
      }
      return { survivors, rank, score };
    },
  };
}

/** Runs NSGA-II; the returned population is sorted by front, front 0 first. */
export function runNsga2(problem: EncodedProblem, options: EvolutionOptions = {}): Promise<EvolutionResult> {
  return evolve(problem, nsga2Survival(problem.objectiveCount), options);
}
