// From the user's analysis spec (shared/schema/analysis-spec.ts) and a system of models and
// formulas to what the optimizer runs: variables in order, a batch evaluator, objectives.
import type { AnalysisSpec, VariableDefinition } from '../../schema/analysis-spec.ts';
import type { Model } from '../explain/model.ts';
import { compileExpression, parseConstraint, variablesOf } from '../optimize/expression.ts';
import type { BatchEvaluator, ObjectiveSpec, ProblemSpec, VariableSpec } from '../optimize/problem.ts';
import type { ColumnValues, System } from './system.ts';

function variableSpec(name: string, definition: VariableDefinition): VariableSpec {
  if ('values' in definition) return { name, type: 'categorical', values: definition.values };
  if (definition.step !== undefined) return { name, type: 'stepped', min: definition.min, max: definition.max, step: definition.step };
  if (definition.integer) return { name, type: 'integer', min: definition.min, max: definition.max };
  return { name, type: 'continuous', min: definition.min, max: definition.max };
}

/** The spec's variables then its fixed settings, in the order the evaluator receives them. */
export function problemVariables(spec: AnalysisSpec): VariableSpec[] {
  return [
    ...Object.entries(spec.variables).map(([name, definition]) => variableSpec(name, definition)),
    ...Object.entries(spec.fixed).map(([name, value]): VariableSpec =>
      typeof value === 'number' ? { name, type: 'fixed', value } : { name, type: 'categorical', values: [value] },
    ),
  ];
}

/** Turns the optimizer's columns (categorical text as an index) back into named columns. */
export function namedColumns(variables: readonly VariableSpec[], columns: readonly Float64Array[], n: number): Record<string, ColumnValues> {
  const named: Record<string, ColumnValues> = {};
  variables.forEach((variable, j) => {
    const column = columns[j].subarray(0, n);
    if (variable.type === 'categorical' && variable.values.some((value) => typeof value === 'string')) {
      named[variable.name] = Array.from(column, (index) => String(variable.values[index]));
    } else {
      named[variable.name] = column;
    }
  });
  return named;
}

export interface SystemEvaluator {
  readonly evaluator: BatchEvaluator;
  /** Evaluations whose rows left some model's training domain. */
  readonly outsideDomain: () => number;
}

export function systemEvaluator(system: System, variables: readonly VariableSpec[]): SystemEvaluator {
  let outside = 0;
  return {
    evaluator: (columns, n) => {
      const result = system.evaluate(namedColumns(variables, columns, n), n);
      outside += result.inDomain.filter((ok) => !ok).length;
      return { mean: result.mean, std: result.std };
    },
    outsideDomain: () => outside,
  };
}

export function problemSpec(spec: AnalysisSpec, system: System): ProblemSpec {
  if (spec.objectives.length === 0) throw new RangeError('The spec has no objectives');
  const objectives = spec.objectives.map((objective): ObjectiveSpec => {
    // Backquoted, so output names such as "強度(MPa)" read as one name, not a function call.
    const base = { expression: `\`${objective.output}\``, name: objective.output, weight: objective.weight };
    if (objective.goal === 'target') return { ...base, goal: 'target', target: objective.value };
    if (objective.goal === 'range') return { ...base, goal: 'range', min: objective.min, max: objective.max };
    return { ...base, goal: objective.goal };
  });
  return {
    variables: problemVariables(spec),
    outputs: system.outputs,
    objectives,
    constraints: spec.constraints,
    robustness: spec.robustness,
  };
}

/**
 * The system as a batch model over the spec's variables (fixed ones included, in
 * problemVariables order), returning the named outputs: what explain and suggest work with.
 */
export function systemModel(
  system: System,
  variables: readonly VariableSpec[],
  outputs: readonly string[],
  violations: readonly string[] = [],
): Model {
  for (const name of outputs) {
    if (!system.outputs.includes(name)) throw new RangeError(`No model or formula computes "${name}"`);
  }
  // Each extra constraint becomes one more output: how far a row is on the wrong side of it
  // (≤ 0 where it holds), computed from the inputs and the predicted means.
  const checks = violations.map((source) => {
    const { op, difference } = parseConstraint(source);
    if (op === '==') throw new RangeError(`"${source}": an equality on predicted outputs cannot be kept`);
    return { sign: op === '<=' ? 1 : -1, expression: compileExpression(difference) };
  });
  return async (columns, n) => {
    const inputs = namedColumns(variables, columns, n);
    const result = system.evaluate(inputs, n);
    const numeric: Record<string, ArrayLike<number>> = { ...result.mean };
    for (const [name, column] of Object.entries(inputs)) if (column instanceof Float64Array) numeric[name] = column;
    const violation = checks.map(({ sign, expression }) => expression.evaluateBatch(numeric, n).map((d) => sign * d));
    return {
      mean: [...outputs.map((name) => result.mean[name]), ...violation],
      std: [...outputs.map((name) => result.std[name] ?? new Float64Array(n).fill(Number.NaN)), ...violation.map(() => new Float64Array(n).fill(Number.NaN))],
    };
  };
}

/** The spec's constraints that involve inputs only (designs can honour these without a model). */
export function inputConstraints(spec: AnalysisSpec): { kept: string[]; skipped: string[] } {
  const inputs = new Set([...Object.keys(spec.variables), ...Object.keys(spec.fixed), ...Object.keys(spec.expressions)]);
  const kept: string[] = [];
  const skipped: string[] = [];
  for (const constraint of spec.constraints) {
    const names = variablesOf(parseConstraint(constraint).difference);
    (names.every((name) => inputs.has(name)) ? kept : skipped).push(constraint);
  }
  return { kept, skipped };
}

/** The outputs an analysis is about: the objectives' outputs, else everything the system computes. */
export function analysisOutputs(spec: AnalysisSpec, system: System): string[] {
  const fromObjectives = [...new Set(spec.objectives.map((o) => o.output))];
  return fromObjectives.length > 0 ? fromObjectives : [...system.outputs];
}

export interface OutputBound {
  readonly output: string;
  readonly min?: number;
  readonly max?: number;
}

/**
 * Constraints of the form "strength >= 60" or "2*cost <= 300": bounds on one output, which a
 * suggestion can keep on its predicted value. Other constraints on outputs are returned as unused.
 */
export function outputBounds(constraints: readonly string[], outputs: readonly string[]): { bounds: OutputBound[]; unused: string[] } {
  const bounds: OutputBound[] = [];
  const unused: string[] = [];
  for (const source of constraints) {
    const { op, linear } = parseConstraint(source);
    const terms = linear ? [...linear.coefficients.entries()].filter(([, a]) => a !== 0) : [];
    if (!linear || op === '==' || terms.length !== 1 || !outputs.includes(terms[0][0])) {
      unused.push(source);
      continue;
    }
    // a·y + c (op) 0, so y (op) −c / a, with the direction flipped when a < 0.
    const [[output, a]] = terms;
    const value = -linear.constant / a;
    const upper = (op === '<=') === a > 0;
    bounds.push(upper ? { output, max: value } : { output, min: value });
  }
  return { bounds, unused };
}
