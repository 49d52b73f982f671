// Ranking under constraint domination (Deb 2000): a feasible point beats an infeasible one,
// two infeasible points compare by total violation, two feasible ones by Pareto dominance.
// Fronts of the feasible points come from Deb's fast non-dominated sort; infeasible points
// follow in fronts of equal violation, least violation first.

export class FrontSorter {
  private capacity = 0;
  private dominatedBy = new Int32Array(0);
  private dominates = new Int32Array(0);
  private dominatesLength = new Int32Array(0);

  /**
   * Fronts of rows 0..n-1 of `objectives` (n × m, minimisation) given each row's total
   * violation `cv` (0 = feasible). Writes each row's front number into `rank`.
   */
  sort(objectives: Float64Array, n: number, m: number, cv: Float64Array, rank: Int32Array): Int32Array[] {
    const feasible: number[] = [];
    const infeasible: number[] = [];
    for (let i = 0; i < n; i++) (cv[i] > 0 ? infeasible : feasible).push(i);
    const fronts = this.paretoFronts(objectives, m, feasible);
    infeasible.sort((a, b) => cv[a] - cv[b] || a - b);
    for (let start = 0; start < infeasible.length; ) {
      let end = start + 1;
      while (end < infeasible.length && cv[infeasible[end]] === cv[infeasible[start]]) end++;
      fronts.push(Int32Array.from(infeasible.slice(start, end)));
      start = end;
    }
    fronts.forEach((front, r) => front.forEach((i) => (rank[i] = r)));
    return fronts;
  }

  private paretoFronts(objectives: Float64Array, m: number, members: readonly number[]): Int32Array[] {
    const n = members.length;
    if (n === 0) return [];
    if (m === 2) return paretoFronts2d(objectives, members);
    if (n > this.capacity) {
      this.capacity = n;
      this.dominatedBy = new Int32Array(n);
      this.dominates = new Int32Array(n * n);
      this.dominatesLength = new Int32Array(n);
    }
    const count = this.dominatedBy;
    const list = this.dominates;
    const length = this.dominatesLength;
    count.fill(0, 0, n);
    length.fill(0, 0, n);
    for (let a = 0; a < n; a++) {
      const rowA = members[a] * m;
      for (let b = a + 1; b < n; b++) {
        const rowB = members[b] * m;
        let aBetter = false;
        let bBetter = false;
        for (let j = 0; j < m; j++) {
          const fa = objectives[rowA + j];
          const fb = objectives[rowB + j];
          if (fa < fb) aBetter = true;
          else if (fb < fa) bBetter = true;
        }
        if (aBetter && !bBetter) {
          list[a * n + length[a]++] = b;
          count[b]++;
        } else if (bBetter && !aBetter) {
          list[b * n + length[b]++] = a;
          count[a]++;
        }
      }
    }
    const fronts: Int32Array[] = [];
    let current: number[] = [];
    for (let a = 0; a < n; a++) if (count[a] === 0) current.push(a);
    while (current.length > 0) {
      fronts.push(Int32Array.from(current, (a) => members[a]));
      const next: number[] = [];
      for (const a of current) {
        for (let k = 0; k < length[a]; k++) {
          const b = list[a * n + k];
          if (--count[b] === 0) next.push(b);
        }
      }
      current = next;
    }
    return fronts;
  }
}

/**
 * Two objectives in O(n log n) (efficient non-dominated sort with binary search, Zhang et al.
 * 2015): visit points by f1 then f2; a point joins the first front whose latest member does
 * not dominate it. That member has the front's lowest f2, and whether a front dominates the
 * point is monotone in the front number, so the front is found by bisection.
 */
function paretoFronts2d(objectives: Float64Array, members: readonly number[]): Int32Array[] {
  const order = Int32Array.from(members);
  order.sort((a, b) => objectives[2 * a] - objectives[2 * b] || objectives[2 * a + 1] - objectives[2 * b + 1] || a - b);
  const fronts: number[][] = [];
  const lastF1: number[] = [];
  const lastF2: number[] = [];
  for (const i of order) {
    const f1 = objectives[2 * i];
    const f2 = objectives[2 * i + 1];
    let lo = 0;
    let hi = fronts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const dominated = lastF2[mid] < f2 || (lastF2[mid] === f2 && lastF1[mid] < f1);
      if (dominated) lo = mid + 1;
      else hi = mid;
    }
    if (lo === fronts.length) fronts.push([]);
    fronts[lo].push(i);
    lastF1[lo] = f1;
    lastF2[lo] = f2;
  }
  return fronts.map((front) => Int32Array.from(front));
}

/** Crowding distance (Deb et al. 2002) of each member of `front`, in front order. */
export function crowdingDistance(objectives: Float64Array, m: number, front: Int32Array): Float64Array {
  const k = front.length;
  const distance = new Float64Array(k);
  if (k <= 2) return distance.fill(Infinity);
  const order = new Int32Array(k);
  for (let j = 0; j < m; j++) {
    for (let p = 0; p < k; p++) order[p] = p;
    order.sort((a, b) => objectives[front[a] * m + j] - objectives[front[b] * m + j] || a - b);
    const low = objectives[front[order[0]] * m + j];
    const span = objectives[front[order[k - 1]] * m + j] - low;
    distance[order[0]] = Infinity;
    distance[order[k - 1]] = Infinity;
    if (!(span > 0)) continue;
    for (let p = 1; p < k - 1; p++) {
      distance[order[p]] += (objectives[front[order[p + 1]] * m + j] - objectives[front[order[p - 1]] * m + j]) / span;
    }
  }
  return distance;
}

/**
 * Keeps `keep` members of `front`, removing the most crowded one at a time and updating its
 * neighbours' crowding after each removal (Kukkonen & Deb 2006). One-shot truncation by the
 * initial crowding distance leaves gaps where neighbouring points are removed together; this
 * keeps the front evenly spread at O(k·(k + m)) cost. Returns the survivors' positions in
 * `front` and their final crowding distances.
 */
export function pruneByCrowding(
  objectives: Float64Array,
  m: number,
  front: Int32Array,
  keep: number,
): { positions: Int32Array; distance: Float64Array } {
  const k = front.length;
  const prev = new Int32Array(m * k);
  const next = new Int32Array(m * k);
  const span = new Float64Array(m);
  const order = new Int32Array(k);
  for (let j = 0; j < m; j++) {
    for (let p = 0; p < k; p++) order[p] = p;
    order.sort((a, b) => objectives[front[a] * m + j] - objectives[front[b] * m + j] || a - b);
    span[j] = objectives[front[order[k - 1]] * m + j] - objectives[front[order[0]] * m + j];
    for (let p = 0; p < k; p++) {
      prev[j * k + order[p]] = p > 0 ? order[p - 1] : -1;
      next[j * k + order[p]] = p < k - 1 ? order[p + 1] : -1;
    }
  }
  const value = (p: number, j: number): number => objectives[front[p] * m + j];
  const distance = new Float64Array(k);
  const refresh = (p: number): void => {
    let total = 0;
    for (let j = 0; j < m; j++) {
      const a = prev[j * k + p];
      const b = next[j * k + p];
      if (a < 0 || b < 0) {
        total = Infinity;
        break;
      }
      if (span[j] > 0) total += (value(b, j) - value(a, j)) / span[j];
    }
    distance[p] = total;
  };
  for (let p = 0; p < k; p++) refresh(p);
  const alive = new Uint8Array(k).fill(1);
  for (let removed = 0; removed < k - keep; removed++) {
    let worst = -1;
    for (let p = 0; p < k; p++) if (alive[p] && (worst < 0 || distance[p] < distance[worst])) worst = p;
    alive[worst] = 0;
    for (let j = 0; j < m; j++) {
      const a = prev[j * k + worst];
      const b = next[j * k + worst];
      if (a >= 0) next[j * k + a] = b;
      if (b >= 0) prev[j * k + b] = a;
    }
    for (let j = 0; j < m; j++) {
      const a = prev[j * k + worst];
      const b = next[j * k + worst];
      if (a >= 0) refresh(a);
      if (b >= 0) refresh(b);
    }
  }
  const positions = new Int32Array(keep);
  const kept = new Float64Array(keep);
  for (let p = 0, q = 0; p < k; p++) {
    if (!alive[p]) continue;
    positions[q] = p;
    kept[q++] = distance[p];
  }
  return { positions, distance: kept };
}
