// Next experiments from a model with a mean and a standard deviation (Bayesian optimization's
// proposal step, model-agnostic). One objective: expected improvement in closed form (Jones,
// Schonlau & Welch 1998) or a confidence bound. Several: a ParEGO scalarization (Knowles 2006),
// the augmented Chebyshev max_j λ_j y_j + ρ Σ_j λ_j y_j over objectives scaled by the observed
// range, with fresh random weights λ for each proposal so that a batch spreads over the front;
// its standard deviation is taken from the term that attains the max (first-order). The
// acquisition is maximised over the constrained space by scoring scrambled Sobol' candidates
// (design.ts) and refining the best by shrinking random steps projected back into the space.
// A batch stays diverse by local penalization (the acquisition is multiplied by
// 1 − exp(−d²/2r²) around every proposal already chosen; González et al. 2016 use a
// Lipschitz-based radius, a fixed one keeps it model-agnostic) and by a hard minimum distance
// to proposals and to existing data, in genes scaled to [0, 1].
import type { LongWorkOptions, Model, ModelPrediction, WorkProgress } from '../explain/model.ts';
import { predictInChunks } from '../explain/model.ts';
import { createRng, type Rng } from '../optimize/rng.ts';
import { createDesign, feasibleRows } from './design.ts';
import { compileSpace, DesignError, type CompiledSpace, type DesignSpace } from './space.ts';

export interface SuggestObjective {
  /** Index of the model output. */
  readonly output: number;
  readonly goal: 'min' | 'max';
}

/** A limit on a model output, such as strength ≥ 60. */
export interface OutputLimit {
  /** Index of the model output. */
  readonly output: number;
  readonly min?: number;
  readonly max?: number;
}

export interface SuggestSpec extends DesignSpace {
  readonly objectives: readonly SuggestObjective[];
  /**
   * Limits on predicted outputs: a proposal's predicted mean must keep them, and the
   * acquisition is weighted by the probability that the true value does (constrained EI,
   * Gardner et al. 2014).
   */
  readonly outputLimits?: readonly OutputLimit[];
}

export interface ObservedData {
  /** One column per variable in spec order, as the model sees it. */
  readonly columns: readonly ArrayLike<number>[];
  /** Observed outputs, one array per model output. */
  readonly outputs: readonly ArrayLike<number>[];
  readonly rows: number;
}

export interface SuggestOptions extends LongWorkOptions<WorkProgress> {
  /** Proposals in the batch (default 4). */
  readonly count?: number;
  /** Expected improvement (default) or the confidence bound mean ± β·std. */
  readonly acquisition?: 'ei' | 'ucb';
  /** β of the confidence bound (default 2). */
  readonly beta?: number;
  /** Sobol' candidates scored first (default max(1024, 256·dimensions), at most 16,384). */
  readonly candidates?: number;
  /** Refinement rounds around the best candidates (default 4) and how many are refined (default 16). */
  readonly refineRounds?: number;
  readonly refineTop?: number;
  /** Smallest distance to a proposal or observed point, scaled genes (default 0.02·√dimensions). */
  readonly minDistance?: number;
  /** Radius of the local penalization, scaled genes (default 0.1·√dimensions). */
  readonly penaltyRadius?: number;
  /** Rows per model call (default 65,536). */
  readonly chunkRows?: number;
}

export interface Proposal {
  /** Variable values by name (text categories as text). */
  readonly inputs: Readonly<Record<string, number | string>>;
  /** One value per variable in spec order, as the model sees it. */
  readonly values: readonly number[];
  /** Predicted mean and standard deviation per model output (std NaN where the model has none). */
  readonly predicted: readonly number[];
  readonly std: readonly number[];
  /** The acquisition value when chosen (before penalization). */
  readonly acquisition: number;
  /** Scalarization weights per objective (several objectives only). */
  readonly weights: readonly number[] | null;
  readonly reason: string;
}

export interface SuggestResult {
  readonly proposals: Proposal[];
  readonly evaluations: number;
}

const RHO = 0.05;

interface Pool {
  genes: Float64Array;
  scaled: Float64Array;
  mean: Float64Array[];
  std: Float64Array[];
  size: number;
}

interface Scored {
  readonly value: Float64Array;
  /** The part of the acquisition owed to uncertainty, for the reason string. */
  readonly exploration: Float64Array;
  readonly exploitation: Float64Array;
}

export async function suggest(model: Model, spec: SuggestSpec, data: ObservedData, options: SuggestOptions = {}): Promise<SuggestResult> {
  const space = compileSpace(spec);
  const d = space.dimensions;
  if (d === 0) throw new DesignError('every variable is fixed; there is nothing to suggest');
  const objectives = spec.objectives;
  if (objectives.length === 0) throw new DesignError('at least one objective is needed');
  const count = options.count ?? 4;
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const signal = options.signal;
  const chunkRows = options.chunkRows ?? 65_536;
  const minDistance = options.minDistance ?? 0.02 * Math.sqrt(d);
  const radius = options.penaltyRadius ?? 0.1 * Math.sqrt(d);
  const refineRounds = options.refineRounds ?? 4;
  const refineTop = options.refineTop ?? 16;
  const kind = options.acquisition ?? 'ei';
  const beta = options.beta ?? 2;
  const report = (fraction: number, stage: string): void => options.onProgress?.({ fraction, stage });
  let evaluations = 0;

  const observedScaled = space.normalize(space.fromColumns(data.columns, data.rows), data.rows);
  // Objectives in minimisation form, scaled by the observed range (several objectives only).
  const signs = objectives.map((objective) => (objective.goal === 'max' ? -1 : 1));
  const observed = objectives.map((objective, j) => Float64Array.from({ length: data.rows }, (_, r) => signs[j] * data.outputs[objective.output][r]));
  const scales = observed.map((values) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of values) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return hi > lo ? { offset: lo, width: hi - lo } : { offset: Number.isFinite(lo) ? lo : 0, width: 1 };
  });

  const predict = async (genes: Float64Array, rows: number): Promise<ModelPrediction> => {
    evaluations += rows;
    return predictInChunks(model, space.toColumns(genes, rows), rows, chunkRows, undefined, signal);
  };

  const limits = spec.outputLimits ?? [];
  report(0, 'candidates');
  const candidateCount = options.candidates ?? Math.min(16_384, Math.max(1024, 256 * d));
  const design = await createDesign(space, candidateCount, { method: 'sobol', seed, signal, spread: false });
  const first = await predict(design.genes, design.rows);
  const pool: Pool = { genes: design.genes, scaled: space.normalize(design.genes, design.rows), mean: first.mean, std: stdOf(first, design.rows), size: design.rows };
  for (const objective of objectives) {
    if (objective.output < 0 || objective.output >= pool.mean.length) throw new DesignError(`the model has no output ${objective.output}`);
  }

  /** Scores every pool row for the current weights. */
  const score = (weights: readonly number[] | null): Scored => {
    const n = pool.size;
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    let best = Infinity;
    if (weights === null) {
      const j = objectives[0].output;
      for (let r = 0; r < n; r++) {
        mean[r] = signs[0] * pool.mean[j][r];
        std[r] = pool.std[j][r];
      }
      for (const y of observed[0]) best = Math.min(best, y);
    } else {
      for (let r = 0; r < n; r++) {
        const scalar = scalarize((j) => (signs[j] * pool.mean[objectives[j].output][r] - scales[j].offset) / scales[j].width, weights);
        mean[r] = scalar.value;
        const top = scalar.top;
        std[r] = ((1 + RHO) * weights[top] * pool.std[objectives[top].output][r]) / scales[top].width;
      }
      for (let r = 0; r < data.rows; r++) {
        best = Math.min(best, scalarize((j) => (observed[j][r] - scales[j].offset) / scales[j].width, weights).value);
      }
    }
    if (!Number.isFinite(best)) best = mean.reduce((a, b) => Math.min(a, b), Infinity);
    const value = new Float64Array(n);
    const exploration = new Float64Array(n);
    const exploitation = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const gain = best - mean[r];
      const s = std[r];
      if (kind === 'ucb') {
        exploitation[r] = gain;
        exploration[r] = beta * s;
        value[r] = gain + beta * s;
      } else if (s > 0) {
        const z = gain / s;
        exploitation[r] = gain * normalCdf(z);
        exploration[r] = s * normalPdf(z);
        value[r] = Math.max(0, exploitation[r] + exploration[r]);
      } else {
        exploitation[r] = Math.max(0, gain);
        value[r] = exploitation[r];
      }
    }
    for (let r = 0; r < n; r++) {
      const pf = feasibilityProbability(pool, r, limits);
      value[r] = kind === 'ei' ? value[r] * pf : pf >= 0.5 ? value[r] : -Infinity;
    }
    return { value, exploration, exploitation };
  };

  const chosen: number[] = [];
  const proposals: Proposal[] = [];
  for (let k = 0; k < count; k++) {
    signal?.throwIfAborted();
    const weights = objectives.length > 1 ? randomWeights(objectives.length, rng, k) : null;
    let scored = score(weights);
    let admissible = admissibility(pool, d, chosen, observedScaled, data.rows, minDistance, limits);
    for (let round = 0; round < refineRounds; round++) {
      const penalized = penalize(scored.value, pool, d, chosen, radius, admissible);
      const top = topIndices(penalized, refineTop);
      if (top.length === 0) break;
      const step = 0.1 * Math.pow(0.5, round);
      const added = await refine(space, pool, top, step, rng, predict);
      if (added === 0) continue;
      scored = score(weights);
      admissible = admissibility(pool, d, chosen, observedScaled, data.rows, minDistance, limits);
    }
    const penalized = penalize(scored.value, pool, d, chosen, radius, admissible);
    let pick = argmax(penalized);
    let reason: string;
    if (pick < 0 || !(penalized[pick] > 0)) {
      // Nothing is expected to improve: fill space instead, as far as possible from everything.
      pick = farthest(pool, d, chosen, observedScaled, data.rows, admissible);
      if (pick < 0) break;
      reason = 'fills space: no candidate is expected to improve, so the point farthest from existing data';
    } else {
      reason = reasonFor(scored, pick, pool, objectives, kind);
    }
    chosen.push(pick);
    proposals.push(proposalAt(space, pool, pick, scored.value[pick], weights, reason));
    report((k + 1) / count, 'proposals');
  }
  if (proposals.length < count) {
    throw new DesignError(`only ${proposals.length} of ${count} proposals keep the minimum distance ${minDistance} from each other and the data`);
  }
  return { proposals, evaluations };
}

function stdOf(prediction: ModelPrediction, rows: number): Float64Array[] {
  return prediction.mean.map((_, k) => prediction.std?.[k] ?? new Float64Array(rows));
}

function scalarize(value: (j: number) => number, weights: readonly number[]): { value: number; top: number } {
  let max = -Infinity;
  let top = 0;
  let sum = 0;
  for (let j = 0; j < weights.length; j++) {
    const term = weights[j] * value(j);
    sum += term;
    if (term > max) {
      max = term;
      top = j;
    }
  }
  return { value: max + RHO * sum, top };
}

/** Uniform weights on the simplex; the first proposal gets equal weights. */
function randomWeights(m: number, rng: Rng, k: number): number[] {
  if (k === 0) return new Array<number>(m).fill(1 / m);
  const e = Array.from({ length: m }, () => -Math.log(1 - rng.next()));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

function distanceSquared(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = a[i * d + t] - b[j * d + t];
    s += x * x;
  }
  return s;
}

function admissibility(
  pool: Pool,
  d: number,
  chosen: readonly number[],
  observed: Float64Array,
  observedRows: number,
  minDistance: number,
  limits: readonly OutputLimit[],
): Uint8Array {
  const limit = minDistance * minDistance;
  const ok = new Uint8Array(pool.size).fill(1);
  for (let r = 0; r < pool.size; r++) {
    // The predicted mean must keep every output limit.
    for (const { output, min = -Infinity, max = Infinity } of limits) {
      const mean = pool.mean[output][r];
      if (!(mean >= min && mean <= max)) ok[r] = 0;
    }
    if (!ok[r]) continue;
    for (const c of chosen) if (distanceSquared(pool.scaled, r, pool.scaled, c, d) < limit) ok[r] = 0;
    for (let o = 0; o < observedRows && ok[r]; o++) if (distanceSquared(pool.scaled, r, observed, o, d) < limit) ok[r] = 0;
  }
  return ok;
}

/** P(min ≤ Y ≤ max) for every limit, Y ~ N(mean, std²) independently per output. */
function feasibilityProbability(pool: Pool, r: number, limits: readonly OutputLimit[]): number {
  let p = 1;
  for (const { output, min = -Infinity, max = Infinity } of limits) {
    const mean = pool.mean[output][r];
    const std = pool.std[output][r];
    if (!(std > 0)) {
      p *= mean >= min && mean <= max ? 1 : 0;
      continue;
    }
    const upper = max === Infinity ? 1 : normalCdf((max - mean) / std);
    const lower = min === -Infinity ? 0 : normalCdf((min - mean) / std);
    p *= Math.max(0, upper - lower);
  }
  return p;
}

function penalize(value: Float64Array, pool: Pool, d: number, chosen: readonly number[], radius: number, admissible: Uint8Array): Float64Array {
  const out = new Float64Array(pool.size);
  for (let r = 0; r < pool.size; r++) {
    if (!admissible[r]) {
      out[r] = -Infinity;
      continue;
    }
    let factor = 1;
    for (const c of chosen) factor *= 1 - Math.exp(-distanceSquared(pool.scaled, r, pool.scaled, c, d) / (2 * radius * radius));
    out[r] = value[r] >= 0 ? value[r] * factor : value[r] / Math.max(factor, 1e-12);
  }
  return out;
}

function topIndices(values: Float64Array, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).filter((i) => values[i] > -Infinity);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k);
}

function argmax(values: Float64Array): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (values[i] > -Infinity && (best < 0 || values[i] > values[best])) best = i;
  return best;
}

function farthest(pool: Pool, d: number, chosen: readonly number[], observed: Float64Array, observedRows: number, admissible: Uint8Array): number {
  let best = -1;
  let bestDistance = -1;
  for (let r = 0; r < pool.size; r++) {
    if (!admissible[r]) continue;
    let nearest = Infinity;
    for (const c of chosen) nearest = Math.min(nearest, distanceSquared(pool.scaled, r, pool.scaled, c, d));
    for (let o = 0; o < observedRows; o++) nearest = Math.min(nearest, distanceSquared(pool.scaled, r, observed, o, d));
    if (nearest > bestDistance) {
      bestDistance = nearest;
      best = r;
    }
  }
  return best;
}

/** Eight random steps of size `step` (scaled genes) around each of `top`, kept when feasible. */
async function refine(
  space: CompiledSpace,
  pool: Pool,
  top: readonly number[],
  step: number,
  rng: Rng,
  predict: (genes: Float64Array, rows: number) => Promise<ModelPrediction>,
): Promise<number> {
  const d = space.dimensions;
  const perPoint = 8;
  const rows = top.length * perPoint;
  const genes = new Float64Array(rows * d);
  top.forEach((index, t) => {
    for (let p = 0; p < perPoint; p++) {
      const at = (t * perPoint + p) * d;
      for (let g = 0; g < d; g++) {
        const width = space.upper[g] - space.lower[g];
        genes[at + g] = pool.genes[index * d + g] + rng.normal() * step * width;
      }
    }
  });
  space.project(genes, rows);
  const feasible = (await feasibleRows(space, genes, rows)).indices;
  if (feasible.length === 0) return 0;
  const kept = new Float64Array(feasible.length * d);
  feasible.forEach((r, i) => kept.set(genes.subarray(r * d, (r + 1) * d), i * d));
  const prediction = await predict(kept, feasible.length);
  const size = pool.size + feasible.length;
  const grow = (old: Float64Array, extra: Float64Array): Float64Array => {
    const out = new Float64Array(old.length + extra.length);
    out.set(old);
    out.set(extra, old.length);
    return out;
  };
  pool.genes = grow(pool.genes, kept);
  pool.scaled = grow(pool.scaled, space.normalize(kept, feasible.length));
  pool.mean = pool.mean.map((values, k) => grow(values, prediction.mean[k]));
  pool.std = pool.std.map((values, k) => grow(values, prediction.std?.[k] ?? new Float64Array(feasible.length)));
  pool.size = size;
  return feasible.length;
}

function reasonFor(scored: Scored, pick: number, pool: Pool, objectives: readonly SuggestObjective[], kind: 'ei' | 'ucb'): string {
  const exploring = scored.exploration[pick] > scored.exploitation[pick];
  const j = objectives[0].output;
  const detail =
    objectives.length === 1
      ? `predicted ${format(pool.mean[j][pick])} ± ${format(pool.std[j][pick])}`
      : `a trade-off between ${objectives.length} objectives`;
  const measure = kind === 'ei' ? 'expected improvement' : 'upper confidence bound';
  return exploring ? `explores an uncertain region (${detail})` : `high ${measure} (${detail})`;
}

function proposalAt(space: CompiledSpace, pool: Pool, index: number, acquisition: number, weights: readonly number[] | null, reason: string): Proposal {
  const d = space.dimensions;
  const columns = space.toColumns(pool.genes.slice(index * d, (index + 1) * d), 1);
  const inputs: Record<string, number | string> = {};
  space.variables.forEach((variable, i) => (inputs[variable.name] = space.displayValue(i, columns[i][0])));
  return {
    inputs,
    values: columns.map((column) => column[0]),
    predicted: pool.mean.map((values) => values[index]),
    std: pool.std.map((values) => values[index]),
    acquisition,
    weights,
    reason,
  };
}

function format(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal distribution function, accurate in the far lower tail (EI reaches it). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // The Maclaurin series of erf for small |x|; for large |x| the continued fraction, which
  // keeps full relative accuracy where 1 − erf(x) would cancel to nothing.
  const ax = Math.abs(x);
  let result: number;
  if (ax < 2) {
    // erf series: 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    result = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Lentz's continued fraction: erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))).
    let f = ax;
    let c = ax;
    let dd = 0;
    for (let n = 1; n < 200; n++) {
      const a = n / 2;
      dd = ax + a * dd;
      dd = dd === 0 ? 1e-300 : 1 / dd;
      c = ax + a / c;
      if (c === 0) c = 1e-300;
      const delta = c * dd;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    result = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x >= 0 ? result : 2 - result;
}
