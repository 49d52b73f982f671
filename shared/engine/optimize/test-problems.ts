// Standard test problems with known Pareto fronts: ZDT1–3 (Zitzler, Deb & Thiele 2000) and
// DTLZ2 (Deb, Thiele, Laumanns & Zitzler 2002), as encoded problems in gene space, with the
// hypervolume of each true front.
import type { EncodedProblem } from './evolution.ts';
import { GENE_CONTINUOUS } from './variation.ts';

export interface TestProblem extends EncodedProblem {
  readonly name: string;
  /** The reference point the true hypervolume refers to. */
  readonly reference: readonly number[];
  /** Hypervolume of the true Pareto front at `reference`. */
  readonly trueHypervolume: number;
}

function box(count: number): Pick<EncodedProblem, 'kinds' | 'lower' | 'upper'> {
  return {
    kinds: new Uint8Array(count).fill(GENE_CONTINUOUS),
    lower: new Float64Array(count),
    upper: new Float64Array(count).fill(1),
  };
}

type ZdtShape = (f1: number, g: number) => number;

function zdt(name: string, shape: ZdtShape, trueHypervolume: number, variables = 30): TestProblem {
  return {
    name,
    ...box(variables),
    objectiveCount: 2,
    constraintCount: 0,
    reference: [1.1, 1.1],
    trueHypervolume,
    evaluate(genes, rows, objectives) {
      for (let r = 0; r < rows; r++) {
        const row = r * variables;
        let sum = 0;
        for (let i = 1; i < variables; i++) sum += genes[row + i];
        const g = 1 + (9 * sum) / (variables - 1);
        const f1 = genes[row];
        objectives[2 * r] = f1;
        objectives[2 * r + 1] = g * shape(f1, g);
      }
    },
  };
}

const zdt3Shape: ZdtShape = (f1, g) => 1 - Math.sqrt(f1 / g) - (f1 / g) * Math.sin(10 * Math.PI * f1);

/**
 * Hypervolume at (r, r) of a front f2 = h(f1), f1 ∈ [0, 1]: the dominated region's lower edge
 * at f1 = x is the running minimum of h over [0, x], so HV = ∫₀ʳ (r − min₍t≤min(x,1)₎ h(t)) dx,
 * integrated with the midpoint rule. Used for ZDT3, whose front is disconnected.
 */
export function frontHypervolume2d(h: (f1: number) => number, r: number, steps = 1_000_000): number {
  let area = 0;
  let runningMin = Infinity;
  const dx = 1 / steps;
  for (let i = 0; i < steps; i++) {
    const x = (i + 0.5) * dx;
    runningMin = Math.min(runningMin, h(x));
    area += (r - Math.min(runningMin, r)) * dx;
  }
  return area + (r - 1) * (r - Math.min(runningMin, r));
}

/** ZDT1: convex front f2 = 1 − √f1; HV at (1.1, 1.1) = 0.1 + 2/3 + 0.11 exactly. */
export const zdt1 = (): TestProblem => zdt('ZDT1', (f1, g) => 1 - Math.sqrt(f1 / g), 0.1 + 2 / 3 + 0.11);
/** ZDT2: concave front f2 = 1 − f1²; HV at (1.1, 1.1) = 0.1 + 1/3 + 0.11 exactly. */
export const zdt2 = (): TestProblem => zdt('ZDT2', (f1, g) => 1 - (f1 / g) * (f1 / g), 0.1 + 1 / 3 + 0.11);
/** ZDT3: five disconnected pieces; HV from frontHypervolume2d (checked against a dense sample in the tests). */
export const ZDT3_TRUE_HYPERVOLUME = 1.3317629;
export const zdt3 = (): TestProblem => zdt('ZDT3', zdt3Shape, ZDT3_TRUE_HYPERVOLUME);

/**
 * DTLZ2 with m objectives and m + k − 1 variables (k = 10 by default: 12 variables for three
 * objectives). The front is the positive part of the unit sphere, so the true HV at (r,…,r)
 * is rᵐ minus the volume of the unit ball's positive orthant: r³ − π/6 for m = 3.
 */
export function dtlz2(m = 3, k = 10): TestProblem {
  const variables = m + k - 1;
  const orthantVolume = Math.pow(Math.PI, m / 2) / gammaHalfInteger(m / 2 + 1) / Math.pow(2, m);
  return {
    name: `DTLZ2 (${m} objectives)`,
    ...box(variables),
    objectiveCount: m,
    constraintCount: 0,
    reference: Array.from({ length: m }, () => 1.1),
    trueHypervolume: Math.pow(1.1, m) - orthantVolume,
    evaluate(genes, rows, objectives) {
      for (let r = 0; r < rows; r++) {
        const row = r * variables;
        let g = 0;
        for (let i = m - 1; i < variables; i++) g += (genes[row + i] - 0.5) * (genes[row + i] - 0.5);
        for (let j = 0; j < m; j++) {
          let f = 1 + g;
          for (let i = 0; i < m - 1 - j; i++) f *= Math.cos((genes[row + i] * Math.PI) / 2);
          if (j > 0) f *= Math.sin((genes[row + m - 1 - j] * Math.PI) / 2);
          objectives[r * m + j] = f;
        }
      }
    },
  };
}

/** Γ(x) for x a positive multiple of ½. */
function gammaHalfInteger(x: number): number {
  let value = Number.isInteger(x) ? 1 : Math.sqrt(Math.PI);
  for (let t = Number.isInteger(x) ? 1 : 0.5; t < x; t++) value *= t;
  return value;
}
