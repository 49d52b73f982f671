// Exact handling of linear equalities (a mixture that sums to 100, a ratio A = 2·B) by
// projection instead of rejection: each row is moved onto {x : A x = b, lower ≤ x ≤ upper}
// by the least change (Euclidean) of its continuous genes; genes the repair may not move
// (integers, steps, categories) enter through their decoded values. Rows the bounds cannot
// bring onto the plane keep a residual, which the ranking then counts as a violation.
import { solveLinear } from './linear-algebra.ts';

export interface EqualitySystem {
  /** Number of equalities. */
  readonly count: number;
  /** Equality × gene coefficients on genes the repair may move (continuous genes). */
  readonly adjustable: Float64Array;
  /** Equality × gene coefficients on genes it must not move, applied to their decoded values. */
  readonly held: Float64Array;
  /** Right-hand sides: Σ adjustable·x + Σ held·value(x) = rhs. */
  readonly rhs: Float64Array;
}

export function createEqualityRepair(
  system: EqualitySystem,
  lower: Float64Array,
  upper: Float64Array,
  valueOf: (gene: number, geneValue: number) => number,
): (genes: Float64Array, rows: number) => void {
  const e = system.count;
  const v = lower.length;
  const { adjustable, held, rhs } = system;
  const involved: number[] = [];
  for (let g = 0; g < v; g++) {
    for (let k = 0; k < e; k++) {
      if (adjustable[k * v + g] !== 0) {
        involved.push(g);
        break;
      }
    }
  }
  const free = new Uint8Array(v);
  const residual = new Float64Array(e);
  const gram = new Float64Array(e * e);
  const target = new Float64Array(e);

  /** Relative size of the worst residual; fills `residual`. */
  const measure = (x: Float64Array): number => {
    let worst = 0;
    for (let k = 0; k < e; k++) {
      let s = 0;
      let size = Math.abs(target[k]);
      for (const g of involved) {
        const term = adjustable[k * v + g] * x[g];
        s += term;
        size += Math.abs(term);
      }
      residual[k] = target[k] - s;
      worst = Math.max(worst, Math.abs(residual[k]) / (1 + size));
    }
    return worst;
  };

  const fillGram = (): void => {
    for (let a = 0; a < e; a++) {
      for (let b = 0; b < e; b++) {
        let s = 0;
        for (const g of involved) if (free[g]) s += adjustable[a * v + g] * adjustable[b * v + g];
        gram[a * e + b] = s;
      }
    }
  };

  // One equality: step along the coefficients over the free genes, pin the genes that cross a
  // bound, repeat. The residual keeps its sign, so a pinned gene never wants back: each pass
  // meets the plane or pins one more gene, and the plane is reached whenever the bounds allow.
  const pinAndRedistribute = (x: Float64Array): void => {
    for (let iteration = 0; iteration <= involved.length + 2; iteration++) {
      if (measure(x) <= 1e-14) return;
      fillGram();
      if (!(gram[0] > 0)) return;
      const lambda = residual[0] / gram[0];
      for (const g of involved) {
        if (!free[g]) continue;
        const moved = x[g] + adjustable[g] * lambda;
        if (moved < lower[g]) {
          x[g] = lower[g];
          free[g] = 0;
        } else if (moved > upper[g]) {
          x[g] = upper[g];
          free[g] = 0;
        } else {
          x[g] = moved;
        }
      }
    }
  };

  // Several equalities: the projection is x(λ) = clip(x₀ + Aᵀλ) where λ maximises the concave
  // dual q(λ) = ½‖x(λ) − x₀‖² − λ·(A x(λ) − b), whose gradient is the residual b − A x(λ).
  // Newton steps over the genes inside their bounds (semismooth Newton), with a small ridge
  // for equalities whose genes are all clipped and backtracking to keep q rising; a gene
  // clipped at one step can come back at the next.
  const start = new Float64Array(v);
  const lambda = new Float64Array(e);
  const trial = new Float64Array(e);
  const place = (x: Float64Array, multipliers: Float64Array): number => {
    let distance = 0;
    for (const g of involved) {
      let moved = start[g];
      for (let k = 0; k < e; k++) moved += adjustable[k * v + g] * multipliers[k];
      x[g] = Math.min(Math.max(moved, lower[g]), upper[g]);
      free[g] = moved > lower[g] && moved < upper[g] ? 1 : 0;
      distance += (x[g] - start[g]) ** 2;
    }
    measure(x);
    let dual = distance / 2;
    for (let k = 0; k < e; k++) dual += multipliers[k] * residual[k];
    return dual;
  };
  const semismoothNewton = (x: Float64Array): void => {
    for (const g of involved) start[g] = x[g];
    lambda.fill(0);
    let dual = place(x, lambda);
    for (let iteration = 0; iteration < 100; iteration++) {
      if (measure(x) <= 1e-14) return;
      fillGram();
      let step = solveLinear(gram, residual, e);
      if (step === null) {
        let trace = 0;
        for (let k = 0; k < e; k++) trace += gram[k * e + k];
        for (let k = 0; k < e; k++) gram[k * e + k] += 1e-12 * (1 + trace);
        step = solveLinear(gram, residual, e);
        if (step === null) return;
      }
      let slope = 0;
      for (let k = 0; k < e; k++) slope += step[k] * residual[k];
      let t = 1;
      let accepted = false;
      for (let halving = 0; halving < 80 && !accepted; halving++, t /= 2) {
        for (let k = 0; k < e; k++) trial[k] = lambda[k] + t * step[k];
        const value = place(x, trial);
        if (value >= dual + 1e-4 * t * slope || halving === 79) {
          accepted = value >= dual;
          if (accepted) {
            lambda.set(trial);
            dual = value;
          }
        }
      }
      if (!accepted) {
        place(x, lambda);
        return;
      }
    }
  };

  return (genes, rows) => {
    for (let r = 0; r < rows; r++) {
      const x = genes.subarray(r * v, (r + 1) * v);
      for (let k = 0; k < e; k++) {
        let t = rhs[k];
        for (let g = 0; g < v; g++) if (held[k * v + g] !== 0) t -= held[k * v + g] * valueOf(g, x[g]);
        target[k] = t;
      }
      for (const g of involved) {
        x[g] = Math.min(Math.max(x[g], lower[g]), upper[g]);
        free[g] = upper[g] > lower[g] ? 1 : 0;
      }
      if (e === 1) pinAndRedistribute(x);
      else semismoothNewton(x);
    }
  };
}
