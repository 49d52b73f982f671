// The entry point: optimise a ProblemSpec and return its feasible Pareto set in the user's
// terms, or name the constraint that stands in the way when nothing feasible was found.
import type { EvolutionOptions, EvolutionProgress, EvolutionResult } from './evolution.ts';
import { epsilonConstraint, kneePoint, pickByWeights } from './hypervolume.ts';
import { runNsga2 } from './nsga2.ts';
import { runNsga3 } from './nsga3.ts';
import { compileProblem, type BatchEvaluator, type ConstraintHandling, type ProblemSpec } from './problem.ts';

export interface OptimizeOptions extends Omit<EvolutionOptions, 'onProgress'> {
  /** NSGA-II for up to three objectives and NSGA-III beyond, unless chosen here. */
  readonly algorithm?: 'auto' | 'nsga2' | 'nsga3';
  /** NSGA-III reference-direction divisions (default: as many as fit the population). */
  readonly divisions?: number;
  readonly onProgress?: (progress: EvolutionProgress) => void;
}

export interface Solution {
  /** Variable values by name (categorical text values as text). */
  readonly inputs: Readonly<Record<string, number | string>>;
  /** Evaluator outputs by name. */
  readonly outputs: Readonly<Record<string, number>>;
  /** Evaluator standard deviations by name, where given. */
  readonly outputStd: Readonly<Record<string, number>>;
  /** Raw value of each objective expression, in objective order. */
  readonly objectives: readonly number[];
  /** What was minimised for each objective (max negated, target and range as distances). */
  readonly scores: readonly number[];
}

export interface ConstraintReport {
  readonly constraint: string;
  readonly handling: ConstraintHandling;
  /** Share of all evaluated points that violated it. */
  readonly violationRate: number;
  /** Share of the final population that violates it. */
  readonly finalViolatedShare: number;
  /** Smallest violation in the final population, in the constraint's units (0 when someone meets it). */
  readonly smallestViolation: number;
}

export interface Obstacle {
  readonly constraint: string;
  readonly message: string;
}

export interface OptimizationResult {
  readonly algorithm: 'nsga2' | 'nsga3';
  /** Objective display names (the spec's name, else its expression), in objective order. */
  readonly objectiveNames: readonly string[];
  /** The feasible non-dominated solutions, without duplicates. Empty when none was found. */
  readonly solutions: readonly Solution[];
  readonly evaluations: number;
  readonly constraints: readonly ConstraintReport[];
  /** Set when no feasible solution was found: the constraint most in the way. */
  readonly obstacle: Obstacle | null;
}

export async function optimize(
  spec: ProblemSpec,
  evaluator: BatchEvaluator | undefined,
  options: OptimizeOptions = {},
): Promise<OptimizationResult> {
  const problem = compileProblem(spec, evaluator);
  const m = problem.encoded.objectiveCount;
  const objectiveNames = spec.objectives.map((o) => o.name ?? o.expression);
  const algorithm = options.algorithm === undefined || options.algorithm === 'auto' ? (m >= 4 ? 'nsga3' : 'nsga2') : options.algorithm;
  if (problem.boundsConflict !== null) {
    return {
      algorithm,
      objectiveNames,
      solutions: [],
      evaluations: 0,
      constraints: problem.constraints.map((c) => ({
        constraint: c.source,
        handling: c.handling,
        violationRate: c.source === problem.boundsConflict?.constraint ? 1 : 0,
        finalViolatedShare: c.source === problem.boundsConflict?.constraint ? 1 : 0,
        smallestViolation: 0,
      })),
      obstacle: { constraint: problem.boundsConflict.constraint, message: problem.boundsConflict.message },
    };
  }
  const run: EvolutionResult =
    algorithm === 'nsga3' ? await runNsga3(problem.encoded, options) : await runNsga2(problem.encoded, options);

  // One more batch re-evaluates the final population, for raw values in the user's units.
  const evaluation = await problem.evaluateRows(run.genes, run.size);
  const v = problem.encoded.kinds.length;
  const c = problem.constraints.length;
  const reports: ConstraintReport[] = problem.constraints.map((constraint, k) => {
    let violated = 0;
    let smallest = Infinity;
    for (let i = 0; i < run.size; i++) {
      const amount = evaluation.violations[i * c + k];
      if (amount > 0) violated++;
      smallest = Math.min(smallest, amount);
    }
    return {
      constraint: constraint.source,
      handling: constraint.handling,
      violationRate: run.evaluations > 0 ? run.violationCounts[k] / run.evaluations : 0,
      finalViolatedShare: violated / run.size,
      smallestViolation: smallest,
    };
  });

  const solutions: Solution[] = [];
  const seen = new Set<string>();
  for (let r = 0; r < run.size; r++) {
    if (run.rank[r] !== 0) continue;
    // Checked on the re-evaluation, so a non-deterministic evaluator cannot leak an infeasible point.
    let feasible = true;
    for (let k = 0; k < c; k++) if (evaluation.violations[r * c + k] > 0) feasible = false;
    const key = Array.from(run.genes.subarray(r * v, (r + 1) * v)).join(',');
    if (!feasible || seen.has(key)) continue;
    seen.add(key);
    const inputs: Record<string, number | string> = {};
    spec.variables.forEach((variable, index) => (inputs[variable.name] = problem.displayValue(index, evaluation.columns[index][r])));
    const outputs: Record<string, number> = {};
    const outputStd: Record<string, number> = {};
    for (const name of spec.outputs ?? []) {
      const mean = evaluation.outputs.mean[name];
      if (mean !== undefined) outputs[name] = mean[r];
      const std = evaluation.outputs.std?.[name];
      if (std !== undefined) outputStd[name] = std[r];
    }
    solutions.push({
      inputs,
      outputs,
      outputStd,
      objectives: Array.from(evaluation.objectiveValues.subarray(r * m, (r + 1) * m)),
      scores: Array.from(evaluation.scores.subarray(r * m, (r + 1) * m)),
    });
  }

  let obstacle: Obstacle | null = null;
  if (solutions.length === 0 && reports.length > 0) {
    const worst = reports.reduce((a, b) =>
      b.finalViolatedShare > a.finalViolatedShare ||
      (b.finalViolatedShare === a.finalViolatedShare && b.violationRate > a.violationRate)
        ? b
        : a,
    );
    obstacle = {
      constraint: worst.constraint,
      message:
        `No feasible solution found in ${run.evaluations} evaluations. "${worst.constraint}" is the obstacle: ` +
        `${Math.round(100 * worst.finalViolatedShare)}% of the final population violates it ` +
        `(${Math.round(100 * worst.violationRate)}% of all evaluated points), missing it by at least ${worst.smallestViolation.toPrecision(3)}.`,
    };
  }
  return { algorithm, objectiveNames, solutions, evaluations: run.evaluations, constraints: reports, obstacle };
}

function scoreMatrix(solutions: readonly Solution[]): { values: Float64Array; m: number } {
  const m = solutions[0]?.scores.length ?? 0;
  const values = new Float64Array(solutions.length * m);
  solutions.forEach((s, i) => values.set(s.scores, i * m));
  return { values, m };
}

/** The knee of the Pareto set (see kneePoint), or null for an empty set. */
export function kneeSolution(result: OptimizationResult): Solution | null {
  const { values, m } = scoreMatrix(result.solutions);
  const index = kneePoint(values, m);
  return index < 0 ? null : result.solutions[index];
}

/**
 * The solution with the best weighted desirability; weights default to the objectives'
 * weights in the spec (1 where unset).
 */
export function pickSolution(result: OptimizationResult, spec: ProblemSpec, weights?: readonly number[]): Solution | null {
  if (result.solutions.length === 0) return null;
  const { values, m } = scoreMatrix(result.solutions);
  const w = weights ?? spec.objectives.map((o) => o.weight ?? 1);
  return result.solutions[pickByWeights(values, m, w)];
}

export interface ParetoQuery {
  /** An output, numeric input or objective name. */
  readonly name: string;
  readonly sense: 'min' | 'max';
  readonly where?: readonly { readonly name: string; readonly atLeast?: number; readonly atMost?: number }[];
}

/** ε-constraint query, e.g. least "cost" with "strength" at least 50; null when none qualifies. */
export function queryPareto(result: OptimizationResult, query: ParetoQuery): Solution | null {
  const names = [query.name, ...(query.where ?? []).map((w) => w.name)];
  const m = names.length;
  const values = new Float64Array(result.solutions.length * m);
  result.solutions.forEach((s, i) =>
    names.forEach((name, j) => {
      const objective = result.objectiveNames.indexOf(name);
      const value = s.outputs[name] ?? s.inputs[name] ?? (objective >= 0 ? s.objectives[objective] : undefined);
      if (typeof value !== 'number') throw new RangeError(`"${name}" is not a numeric output, input or objective`);
      values[i * m + j] = value;
    }),
  );
  const index = epsilonConstraint(values, m, {
    column: 0,
    sense: query.sense,
    bounds: (query.where ?? []).map((w, j) => ({ column: j + 1, min: w.atLeast, max: w.atMost })),
  });
  return index < 0 ? null : result.solutions[index];
}
