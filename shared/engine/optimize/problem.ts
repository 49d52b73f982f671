// The problem model users write (variables, objectives, constraints as text), compiled to an
// encoded problem in gene space that NSGA-II/III run on. Outputs come from a batch evaluator
// that receives a whole population per call, so a trained model predicts once per generation.
import type { EncodedProblem } from './evolution.ts';
import {
  compileExpression,
  ExpressionError,
  parseConstraint,
  type CompiledExpression,
  type ConstraintOperator,
  type LinearForm,
} from './expression.ts';
import { createEqualityRepair } from './linear-repair.ts';
import { GENE_CATEGORICAL, GENE_CONTINUOUS, GENE_INTEGER } from './variation.ts';

export type VariableSpec =
  | { readonly name: string; readonly type: 'continuous'; readonly min: number; readonly max: number }
  | { readonly name: string; readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly name: string; readonly type: 'stepped'; readonly min: number; readonly max: number; readonly step: number }
  | { readonly name: string; readonly type: 'categorical'; readonly values: readonly (number | string)[] }
  | { readonly name: string; readonly type: 'fixed'; readonly value: number };

interface ObjectiveBase {
  /** An output name or an expression over inputs and outputs, e.g. "strength" or "cost / yield". */
  readonly expression: string;
  /** Display name; defaults to the expression. */
  readonly name?: string;
  /** Importance when one solution is picked from the Pareto set (default 1). */
  readonly weight?: number;
}

export type ObjectiveSpec =
  | (ObjectiveBase & { readonly goal: 'min' | 'max' })
  | (ObjectiveBase & { readonly goal: 'target'; readonly target: number })
  | (ObjectiveBase & { readonly goal: 'range'; readonly min: number; readonly max: number });

export interface ProblemSpec {
  readonly variables: readonly VariableSpec[];
  /** Names of the outputs the evaluator returns (may be omitted when no evaluator is needed). */
  readonly outputs?: readonly string[];
  readonly objectives: readonly ObjectiveSpec[];
  /** Constraints such as "A + B + C == 100", "A <= 2*B", "strength >= 40". */
  readonly constraints?: readonly string[];
  /**
   * Optimise mean − k·std for max goals and mean + k·std for the others, for objectives that
   * are a bare output for which the evaluator returns a standard deviation.
   */
  readonly robustness?: { readonly k: number };
  /** Tolerance on equalities, relative to the size of their terms (default 1e-9). */
  readonly equalityTolerance?: number;
}

export interface OutputBatch {
  /** Predicted value per output name, one entry per row. */
  readonly mean: Readonly<Record<string, ArrayLike<number>>>;
  /** Standard deviation per output name, where the evaluator knows it. */
  readonly std?: Readonly<Record<string, ArrayLike<number>>>;
}

/**
 * Computes outputs for `n` rows. `columns` holds one column per variable in spec order,
 * fixed ones included: the value itself, except for categorical variables with text values,
 * whose column holds the index into `values`.
 */
export type BatchEvaluator = (columns: readonly Float64Array[], n: number) => OutputBatch | Promise<OutputBatch>;

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    message: string,
    /** Where in the spec, e.g. "constraints[1]". */
    readonly path: string,
    /** For expression errors, the 1-based column in that expression. */
    readonly column?: number,
  ) {
    super(`${path}: ${message}`);
  }
}

export type ConstraintHandling = 'repair' | 'ranking';

export interface CompiledConstraint {
  readonly source: string;
  readonly op: ConstraintOperator;
  readonly linear: boolean;
  /** Linear equalities over continuous inputs are met exactly by repair; the rest by ranking. */
  readonly handling: ConstraintHandling;
  /** Difference left − right for a batch of named columns. */
  readonly difference: CompiledExpression;
  /** Violation of one difference value (0 = satisfied). */
  violation(difference: number, termSize: number): number;
}

/** A constraint no point within the bounds can meet, found before any evaluation. */
export interface BoundsConflict {
  readonly constraint: string;
  readonly low: number;
  readonly high: number;
  readonly message: string;
}

export interface CompiledProblem {
  readonly spec: ProblemSpec;
  readonly encoded: EncodedProblem;
  readonly constraints: readonly CompiledConstraint[];
  /** Set when the bounds alone rule out a constraint. */
  readonly boundsConflict: BoundsConflict | null;
  /** Gene position of each variable (−1 for fixed ones). */
  readonly geneOf: readonly number[];
  /** Variable values of gene rows, in spec order, as the evaluator sees them. */
  decodeColumns(genes: Float64Array, rows: number): Float64Array[];
  /** The user-facing value of variable `index` from its column value. */
  displayValue(index: number, columnValue: number): number | string;
  /** Evaluates gene rows fully: outputs, raw objective values, scores and violations. */
  evaluateRows(genes: Float64Array, rows: number): Promise<RowEvaluation>;
}

export interface RowEvaluation {
  readonly columns: Float64Array[];
  readonly outputs: OutputBatch;
  /** Raw objective values (user sense), rows × objectives. */
  readonly objectiveValues: Float64Array;
  /** Minimised scores (max negated, target/range as distance, robustness applied), rows × objectives. */
  readonly scores: Float64Array;
  /** Raw violation amount per constraint, rows × constraints. */
  readonly violations: Float64Array;
}

interface Decoder {
  readonly kind: number;
  readonly lower: number;
  readonly upper: number;
  value(gene: number): number;
}

function decimalsOf(x: number): number {
  const text = String(x);
  const exponent = text.indexOf('e-');
  if (exponent >= 0) {
    const mantissa = text.slice(0, exponent);
    const dot = mantissa.indexOf('.');
    return Number(text.slice(exponent + 2)) + (dot >= 0 ? mantissa.length - dot - 1 : 0);
  }
  const dot = text.indexOf('.');
  return dot >= 0 ? text.length - dot - 1 : 0;
}

function requireFinite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProblemError('must be a finite number', path);
  return value;
}

function decoderFor(variable: VariableSpec, path: string): Decoder | null {
  switch (variable.type) {
    case 'continuous': {
      const min = requireFinite(variable.min, `${path}.min`);
      const max = requireFinite(variable.max, `${path}.max`);
      if (min > max) throw new ProblemError(`min ${min} exceeds max ${max}`, path);
      return { kind: GENE_CONTINUOUS, lower: min, upper: max, value: (g) => g };
    }
    case 'integer': {
      const min = Math.ceil(requireFinite(variable.min, `${path}.min`));
      const max = Math.floor(requireFinite(variable.max, `${path}.max`));
      if (min > max) throw new ProblemError('no integer lies between min and max', path);
      return { kind: GENE_INTEGER, lower: min, upper: max, value: (g) => g };
    }
    case 'stepped': {
      const min = requireFinite(variable.min, `${path}.min`);
      const max = requireFinite(variable.max, `${path}.max`);
      const step = requireFinite(variable.step, `${path}.step`);
      if (!(step > 0)) throw new ProblemError('step must be positive', `${path}.step`);
      if (min > max) throw new ProblemError(`min ${min} exceeds max ${max}`, path);
      // The gene is the step index; values are rounded to the decimals of min and step so
      // that 0.1 steps give 0.3, not 0.30000000000000004.
      const count = Math.floor((max - min) / step + 1e-9);
      const decimals = Math.min(15, Math.max(decimalsOf(min), decimalsOf(step)));
      const scale = Math.pow(10, decimals);
      return { kind: GENE_INTEGER, lower: 0, upper: count, value: (g) => Math.round((min + g * step) * scale) / scale };
    }
    case 'categorical': {
      const values = variable.values;
      if (!Array.isArray(values) || values.length === 0) throw new ProblemError('needs at least one value', `${path}.values`);
      if (new Set(values).size !== values.length) throw new ProblemError('values must be distinct', `${path}.values`);
      const numeric = values.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!numeric && !values.every((x) => typeof x === 'string')) {
        throw new ProblemError('values must be all numbers or all text', `${path}.values`);
      }
      return {
        kind: GENE_CATEGORICAL,
        lower: 0,
        upper: values.length - 1,
        value: numeric ? (g) => values[g] as number : (g) => g,
      };
    }
    case 'fixed':
      requireFinite(variable.value, `${path}.value`);
      return null;
    default:
      throw new ProblemError('type must be continuous, integer, stepped, categorical or fixed', `${path}.type`);
  }
}

function compileAt(source: string, path: string): CompiledExpression {
  if (typeof source !== 'string') throw new ProblemError('must be text', path);
  try {
    return compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) throw new ProblemError(error.message, path, error.column);
    throw error;
  }
}

export function compileProblem(spec: ProblemSpec, evaluator?: BatchEvaluator): CompiledProblem {
  const variables = spec.variables;
  if (!Array.isArray(variables) || variables.length === 0) throw new ProblemError('at least one variable is needed', 'variables');
  if (!Array.isArray(spec.objectives) || spec.objectives.length === 0) {
    throw new ProblemError('at least one objective is needed', 'objectives');
  }
  const outputs = spec.outputs ?? [];
  const names = new Set<string>();
  for (const [i, name] of [...variables.map((x) => x.name), ...outputs].entries()) {
    const path = i < variables.length ? `variables[${i}].name` : `outputs[${i - variables.length}]`;
    if (typeof name !== 'string' || name.length === 0) throw new ProblemError('needs a name', path);
    if (names.has(name)) throw new ProblemError(`the name "${name}" is used twice`, path);
    names.add(name);
  }
  const outputSet = new Set(outputs);
  const decoders = variables.map((variable, i) => decoderFor(variable, `variables[${i}]`));
  const geneOf: number[] = [];
  const genes: Decoder[] = [];
  for (const decoder of decoders) {
    geneOf.push(decoder === null ? -1 : genes.length);
    if (decoder !== null) genes.push(decoder);
  }
  if (genes.length === 0) throw new ProblemError('every variable is fixed; nothing to optimise', 'variables');
  const kinds = Uint8Array.from(genes, (d) => d.kind);
  const lower = Float64Array.from(genes, (d) => d.lower);
  const upper = Float64Array.from(genes, (d) => d.upper);
  const fixedValue = new Map<string, number>();
  variables.forEach((variable) => {
    if (variable.type === 'fixed') fixedValue.set(variable.name, variable.value);
  });
  const variableIndex = new Map(variables.map((variable, i) => [variable.name, i]));

  const checkNames = (expression: CompiledExpression, path: string): void => {
    for (const name of expression.variables) {
      if (!names.has(name)) {
        throw new ProblemError(`unknown name "${name}"; known: ${[...names].join(', ')}`, path, findColumn(expression, name));
      }
      if (outputSet.has(name) && evaluator === undefined) {
        throw new ProblemError(`"${name}" is an output, but no evaluator was given`, path, findColumn(expression, name));
      }
    }
  };

  const robustK = spec.robustness?.k ?? 0;
  if (!(robustK >= 0)) throw new ProblemError('must be a non-negative number', 'robustness.k');
  const objectives = spec.objectives.map((objective, i) => {
    const path = `objectives[${i}]`;
    const expression = compileAt(objective.expression, `${path}.expression`);
    checkNames(expression, `${path}.expression`);
    if (objective.weight !== undefined && !(objective.weight >= 0)) throw new ProblemError('must be non-negative', `${path}.weight`);
    if (objective.goal === 'target') requireFinite(objective.target, `${path}.target`);
    else if (objective.goal === 'range') {
      requireFinite(objective.min, `${path}.min`);
      requireFinite(objective.max, `${path}.max`);
      if (objective.min > objective.max) throw new ProblemError('min exceeds max', path);
    } else if (objective.goal !== 'min' && objective.goal !== 'max') {
      throw new ProblemError('goal must be min, max, target or range', `${path}.goal`);
    }
    const tree = expression.tree;
    const robustOutput = tree.kind === 'variable' && outputSet.has(tree.name) ? tree.name : null;
    return { spec: objective, expression, robustOutput };
  });

  const equalityTolerance = spec.equalityTolerance ?? 1e-9;
  // Value range of each variable as the expressions see it, for bound checks.
  const valueRange = (name: string): [number, number] => {
    const fixed = fixedValue.get(name);
    if (fixed !== undefined) return [fixed, fixed];
    const index = variableIndex.get(name) ?? -1;
    const decoder = decoders[index];
    if (decoder === null || decoder === undefined) return [-Infinity, Infinity];
    const a = decoder.value(decoder.lower);
    const b = decoder.value(decoder.upper);
    const variable = variables[index];
    if (variable.type === 'categorical' && typeof variable.values[0] === 'number') {
      const numbers = variable.values as readonly number[];
      return [Math.min(...numbers), Math.max(...numbers)];
    }
    return [Math.min(a, b), Math.max(a, b)];
  };

  let boundsConflict: BoundsConflict | null = null;
  const equalityRows: { form: LinearForm; source: string }[] = [];
  const constraints: CompiledConstraint[] = (spec.constraints ?? []).map((source, i) => {
    const path = `constraints[${i}]`;
    if (typeof source !== 'string') throw new ProblemError('must be text', path);
    let parsed;
    try {
      parsed = parseConstraint(source);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ProblemError(error.message, path, error.column);
      throw error;
    }
    const difference = compileExpression(parsed.difference);
    checkNames(difference, path);
    const op = parsed.op;
    const linearInInputs =
      parsed.linear !== null && [...parsed.linear.coefficients.keys()].every((name) => !outputSet.has(name));
    let handling: ConstraintHandling = 'ranking';
    if (linearInInputs && parsed.linear !== null) {
      const form = parsed.linear;
      let low = form.constant;
      let high = form.constant;
      for (const [name, a] of form.coefficients) {
        const [lo, hi] = valueRange(name);
        low += Math.min(a * lo, a * hi);
        high += Math.max(a * lo, a * hi);
      }
      const slack = equalityTolerance * (1 + Math.abs(low) + Math.abs(high));
      const impossible = op === '==' ? low > slack || high < -slack : op === '<=' ? low > 0 : high < 0;
      if (impossible && boundsConflict === null) {
        boundsConflict = {
          constraint: source,
          low,
          high,
          message:
            `"${source}" cannot hold within the variable bounds: left − right ranges over ` +
            `[${formatNumber(low)}, ${formatNumber(high)}]`,
        };
      }
      const movable = [...form.coefficients.keys()].some((name) => {
        const index = variableIndex.get(name);
        return index !== undefined && decoders[index]?.kind === GENE_CONTINUOUS;
      });
      if (op === '==' && movable) {
        handling = 'repair';
        equalityRows.push({ form, source });
      }
    }
    const linear = parsed.linear !== null;
    const violation =
      op === '<='
        ? (d: number) => (d > 0 ? d : 0)
        : op === '>='
          ? (d: number) => (d < 0 ? -d : 0)
          : (d: number, size: number) => {
              const excess = Math.abs(d) - equalityTolerance * (1 + size);
              return excess > 0 ? excess : 0;
            };
    return { source, op, linear, handling, difference, violation };
  });

  // Constraint sizes: equalities are judged relative to the size of their terms.
  const termExpressions = constraints.map((constraint) =>
    constraint.op === '==' ? compileExpression(absoluteTerms(constraint.difference)) : null,
  );

  const valueOfGene = (gene: number, geneValue: number): number => genes[gene].value(geneValue);
  let repair: ((genes: Float64Array, rows: number) => void) | undefined;
  if (equalityRows.length > 0) {
    const v = genes.length;
    const e = equalityRows.length;
    const adjustable = new Float64Array(e * v);
    const held = new Float64Array(e * v);
    const rhs = new Float64Array(e);
    equalityRows.forEach(({ form }, k) => {
      let constant = form.constant;
      for (const [name, a] of form.coefficients) {
        const fixed = fixedValue.get(name);
        if (fixed !== undefined) {
          constant += a * fixed;
          continue;
        }
        const gene = geneOf[variableIndex.get(name) ?? -1];
        if (genes[gene].kind === GENE_CONTINUOUS) adjustable[k * v + gene] += a;
        else held[k * v + gene] += a;
      }
      rhs[k] = -constant;
    });
    repair = createEqualityRepair({ count: e, adjustable, held, rhs }, lower, upper, valueOfGene);
  }

  const decodeColumns = (geneRows: Float64Array, rows: number): Float64Array[] => {
    const v = genes.length;
    return variables.map((variable, index) => {
      const column = new Float64Array(rows);
      const gene = geneOf[index];
      if (gene < 0) return column.fill(variable.type === 'fixed' ? variable.value : NaN);
      const decoder = genes[gene];
      for (let r = 0; r < rows; r++) column[r] = decoder.value(geneRows[r * v + gene]);
      return column;
    });
  };

  const displayValue = (index: number, columnValue: number): number | string => {
    const variable = variables[index];
    if (variable.type === 'categorical' && typeof variable.values[0] === 'string') return variable.values[columnValue];
    return columnValue;
  };

  const m = objectives.length;
  const c = constraints.length;
  const neededOutputs = new Set<string>();
  for (const expression of [...objectives.map((o) => o.expression), ...constraints.map((x) => x.difference)]) {
    for (const name of expression.variables) if (outputSet.has(name)) neededOutputs.add(name);
  }

  const evaluateRows = async (geneRows: Float64Array, rows: number): Promise<RowEvaluation> => {
    const columns = decodeColumns(geneRows, rows);
    const environment: Record<string, ArrayLike<number>> = {};
    variables.forEach((variable, i) => (environment[variable.name] = columns[i]));
    let outputBatch: OutputBatch = { mean: {} };
    if (evaluator !== undefined) {
      outputBatch = await evaluator(columns, rows);
      for (const name of neededOutputs) {
        const values = outputBatch.mean[name];
        if (values === undefined || values.length < rows) {
          throw new Error(`The evaluator returned ${values === undefined ? 'no' : values.length} values of "${name}" for ${rows} rows`);
        }
        environment[name] = values;
      }
    }
    const objectiveValues = new Float64Array(rows * m);
    const scores = new Float64Array(rows * m);
    objectives.forEach((objective, j) => {
      const raw = objective.expression.evaluateBatch(environment, rows);
      const std = robustK > 0 && objective.robustOutput !== null ? outputBatch.std?.[objective.robustOutput] : undefined;
      const goal = objective.spec;
      for (let r = 0; r < rows; r++) {
        const value = raw[r];
        const spread = std === undefined ? 0 : robustK * std[r];
        objectiveValues[r * m + j] = value;
        const score =
          goal.goal === 'min'
            ? value + spread
            : goal.goal === 'max'
              ? -(value - spread)
              : goal.goal === 'target'
                ? Math.abs(value - goal.target) + spread
                : Math.max(0, goal.min - value, value - goal.max) + spread;
        scores[r * m + j] = score;
      }
    });
    const violations = new Float64Array(rows * c);
    constraints.forEach((constraint, k) => {
      const difference = constraint.difference.evaluateBatch(environment, rows);
      const terms = termExpressions[k]?.evaluateBatch(environment, rows);
      for (let r = 0; r < rows; r++) {
        const amount = constraint.violation(difference[r], terms === undefined ? 0 : terms[r]);
        violations[r * c + k] = Number.isNaN(amount) ? Infinity : amount;
      }
    });
    return { columns, outputs: outputBatch, objectiveValues, scores, violations };
  };

  // Violations enter the ranking divided by a per-constraint scale, so that a constraint in
  // grams and one in percent weigh alike: the median violation of the first batch that
  // violates it (deterministic, since the first batch is).
  const violationScale = new Float64Array(c).fill(NaN);
  const encoded: EncodedProblem = {
    kinds,
    lower,
    upper,
    objectiveCount: m,
    constraintCount: c,
    repair,
    async evaluate(geneRows, rows, objectiveOut, violationOut) {
      const result = await evaluateRows(geneRows, rows);
      objectiveOut.set(result.scores);
      for (let k = 0; k < c; k++) {
        if (Number.isNaN(violationScale[k])) {
          const positive: number[] = [];
          for (let r = 0; r < rows; r++) {
            const amount = result.violations[r * c + k];
            if (amount > 0 && Number.isFinite(amount)) positive.push(amount);
          }
          if (positive.length > 0) {
            positive.sort((a, b) => a - b);
            violationScale[k] = positive[positive.length >> 1];
          }
        }
        const scale = violationScale[k] > 0 ? violationScale[k] : 1;
        for (let r = 0; r < rows; r++) violationOut[r * c + k] = result.violations[r * c + k] / scale;
      }
    },
  };

  return { spec, encoded, constraints, boundsConflict, geneOf, decodeColumns, displayValue, evaluateRows };
}

/** Σ|terms| of a difference expression, for relative equality tolerances. */
function absoluteTerms(expression: CompiledExpression): string {
  return `abs(${expression.variables.map((name) => `\`${name}\``).join(') + abs(') || '0'})`;
}

function findColumn(expression: CompiledExpression, name: string): number | undefined {
  let column: number | undefined;
  const visit = (node: CompiledExpression['tree']): void => {
    if (column !== undefined) return;
    if (node.kind === 'variable' && node.name === name) column = node.column;
    else if (node.kind === 'negate') visit(node.operand);
    else if (node.kind === 'binary' || node.kind === 'compare') {
      visit(node.left);
      visit(node.right);
    } else if (node.kind === 'call') node.args.forEach(visit);
  };
  visit(expression.tree);
  return column;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}
