// What the analysis editors hold while the user types (variables, goals, formulas, output
// limits), and how it becomes the analysis spec the engine reads (shared/schema/analysis-spec.ts).
// Pure: the screens keep a draft in $state and call these functions.
import type { AnalysisSpecInput, VariableDefinition } from '../../../shared/schema/analysis-spec.ts';
import type { ModelFile } from '../../../shared/schema/model-file.ts';
import { ExpressionError, parseConstraint, type ExpressionNode } from '../../../shared/engine/optimize/expression.ts';

export type InputField =
  | { kind: 'numeric'; name: string; min: number; max: number; mean: number }
  | { kind: 'categorical'; name: string; levels: string[] };

/** The trained model's inputs with their training range (numeric) or levels (categorical). */
export function inputFieldsOf(modelFile: ModelFile): InputField[] {
  const { domain } = modelFile;
  let feature = 0;
  return modelFile.encoding.inputs.map((transform): InputField => {
    if (transform.type === 'numeric') {
      const index = feature++;
      const toOriginal = (z: number) => z * transform.std + transform.mean;
      return { kind: 'numeric', name: transform.column, min: toOriginal(domain.min[index]), max: toOriginal(domain.max[index]), mean: transform.mean };
    }
    feature += transform.levels.length;
    return { kind: 'categorical', name: transform.column, levels: [...transform.levels] };
  });
}

export function outputsOf(modelFile: ModelFile): string[] {
  return modelFile.encoding.outputs.map((o) => o.column);
}

export interface VariableDraft {
  name: string;
  kind: 'numeric' | 'categorical';
  fixed: boolean;
  min: number;
  max: number;
  integer: boolean;
  /** Step between allowed values; null for continuous. */
  step: number | null;
  /** The value held when fixed. */
  value: number | string;
  /** Categorical: the levels the optimizer may choose. */
  levels: string[];
  allowed: string[];
}

export type Goal = 'min' | 'max' | 'target' | 'range';

export interface ObjectiveDraft {
  output: string;
  goal: Goal;
  /** Target value (goal target). */
  value: number;
  /** Range bounds (goal range). */
  low: number;
  high: number;
  weight: number;
}

export interface OutputLimitDraft {
  output: string;
  atLeast: number | null;
  atMost: number | null;
}

export interface AnalysisDraft {
  variables: VariableDraft[];
  objectives: ObjectiveDraft[];
  /** Formulas typed as text, e.g. "`A` + `B` == 100". */
  equations: string[];
  outputLimits: OutputLimitDraft[];
}

/** Rounds a training bound for display without moving it inside the data. */
function roundOutward(value: number, direction: 'down' | 'up'): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 3);
  return (direction === 'down' ? Math.floor(value / scale) : Math.ceil(value / scale)) * scale;
}

function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

export function defaultDraft(modelFile: ModelFile): AnalysisDraft {
  const outputs = outputsOf(modelFile);
  const variables = inputFieldsOf(modelFile).map((field): VariableDraft =>
    field.kind === 'numeric'
      ? {
          name: field.name,
          kind: 'numeric',
          fixed: false,
          min: tidy(roundOutward(field.min, 'down')),
          max: tidy(roundOutward(field.max, 'up')),
          integer: false,
          step: null,
          value: Number(field.mean.toPrecision(4)),
          levels: [],
          allowed: [],
        }
      : { name: field.name, kind: 'categorical', fixed: false, min: 0, max: 0, integer: false, step: null, value: field.levels[0], levels: field.levels, allowed: [...field.levels] },
  );
  const objectives: ObjectiveDraft[] = [{ output: outputs[0], goal: 'max', value: 0, low: 0, high: 0, weight: 1 }];
  if (outputs.length > 1) objectives.push({ output: outputs[outputs.length - 1], goal: 'min', value: 0, low: 0, high: 0, weight: 1 });
  return { variables, objectives, equations: [], outputLimits: [] };
}

/** A name as the expression language reads it: backquoted unless it is a plain identifier. */
export function quoteName(name: string): string {
  return /^[\p{L}_][\p{L}\p{M}\p{N}_]*$/u.test(name) ? name : `\`${name}\``;
}

export interface FormulaProblem {
  /** The parser's message (English), or for a name nothing defines, "unknown name …". */
  message: string;
  /** Set when the mistake is a name that is neither an input nor an output. */
  unknownName?: string;
  /** 1-based code-point column of the mistake. */
  column: number;
}

function variableNodes(node: ExpressionNode, found: { name: string; column: number }[] = []): { name: string; column: number }[] {
  switch (node.kind) {
    case 'variable':
      found.push({ name: node.name, column: node.column });
      break;
    case 'negate':
      variableNodes(node.operand, found);
      break;
    case 'binary':
    case 'compare':
      variableNodes(node.left, found);
      variableNodes(node.right, found);
      break;
    case 'call':
      for (const arg of node.args) variableNodes(arg, found);
      break;
    case 'number':
      break;
  }
  return found;
}

/** Checks a constraint as typed: syntax (with the parser's column) and that every name is known. */
export function checkEquation(source: string, known: readonly string[]): FormulaProblem | null {
  if (source.trim() === '') return null;
  try {
    const parsed = parseConstraint(source);
    const unknown = variableNodes(parsed.difference).find((v) => !known.includes(v.name));
    return unknown ? { message: `unknown name "${unknown.name}"`, column: unknown.column, unknownName: unknown.name } : null;
  } catch (error) {
    if (error instanceof ExpressionError) return { message: error.message.replace(/ \(column \d+\)$/, ''), column: error.column };
    throw error;
  }
}

export type ProblemCode = 'minAboveMax' | 'step' | 'value' | 'noLevel' | 'allFixed' | 'noObjective' | 'output' | 'lowAboveHigh' | 'weight' | 'formula' | 'emptyLimit';

export interface DraftProblem {
  /** Where: "variable", "objective", "equation" or "limit", with its index. */
  where: 'variable' | 'objective' | 'equation' | 'limit';
  index: number;
  /** What is wrong (a message key); formulas also carry the parser's message. */
  code: ProblemCode;
  detail?: string;
}

/** Everything in the way of a run, as the user should fix it. */
export function draftProblems(draft: AnalysisDraft, outputs: readonly string[], { needObjectives }: { needObjectives: boolean }): DraftProblem[] {
  const problems: DraftProblem[] = [];
  draft.variables.forEach((v, index) => {
    if (v.kind === 'numeric' && !v.fixed) {
      if (!Number.isFinite(v.min) || !Number.isFinite(v.max) || v.min > v.max) problems.push({ where: 'variable', index, code: 'minAboveMax' });
      if (v.step !== null && !(v.step > 0)) problems.push({ where: 'variable', index, code: 'step' });
    }
    if (v.kind === 'numeric' && v.fixed && !Number.isFinite(Number(v.value))) problems.push({ where: 'variable', index, code: 'value' });
    if (v.kind === 'categorical' && !v.fixed && v.allowed.length === 0) problems.push({ where: 'variable', index, code: 'noLevel' });
  });
  if (draft.variables.every((v) => v.fixed)) problems.push({ where: 'variable', index: 0, code: 'allFixed' });
  if (needObjectives && draft.objectives.length === 0) problems.push({ where: 'objective', index: 0, code: 'noObjective' });
  draft.objectives.forEach((o, index) => {
    if (!outputs.includes(o.output)) problems.push({ where: 'objective', index, code: 'output' });
    if (o.goal === 'range' && !(o.low <= o.high)) problems.push({ where: 'objective', index, code: 'lowAboveHigh' });
    if (!Number.isFinite(o.weight) || o.weight < 0) problems.push({ where: 'objective', index, code: 'weight' });
  });
  const known = [...draft.variables.map((v) => v.name), ...outputs];
  draft.equations.forEach((source, index) => {
    const problem = checkEquation(source, known);
    if (problem) problems.push({ where: 'equation', index, code: 'formula', detail: `${problem.column}: ${problem.message}` });
  });
  draft.outputLimits.forEach((limit, index) => {
    if (limit.atLeast === null && limit.atMost === null) problems.push({ where: 'limit', index, code: 'emptyLimit' });
  });
  return problems;
}

function variableDefinition(v: VariableDraft): VariableDefinition {
  if (v.kind === 'categorical') return { values: v.allowed };
  if (v.step !== null) return { min: v.min, max: v.max, step: v.step };
  return v.integer ? { min: v.min, max: v.max, integer: true } : { min: v.min, max: v.max };
}

/** The analysis spec of a draft; call only when draftProblems is empty. */
export function draftToSpec(draft: AnalysisDraft, { objectives = true }: { objectives?: boolean } = {}): AnalysisSpecInput {
  const free = draft.variables.filter((v) => !v.fixed);
  const fixed = draft.variables.filter((v) => v.fixed);
  const limitConstraints = draft.outputLimits.flatMap((limit) => [
    ...(limit.atLeast === null ? [] : [`${quoteName(limit.output)} >= ${limit.atLeast}`]),
    ...(limit.atMost === null ? [] : [`${quoteName(limit.output)} <= ${limit.atMost}`]),
  ]);
  return {
    variables: Object.fromEntries(free.map((v) => [v.name, variableDefinition(v)])),
    fixed: Object.fromEntries(fixed.map((v) => [v.name, v.kind === 'numeric' ? Number(v.value) : String(v.value)])),
    objectives: objectives
      ? draft.objectives.map((o) => {
          const weight = o.weight === 1 ? {} : { weight: o.weight };
          if (o.goal === 'target') return { output: o.output, goal: 'target' as const, value: o.value, ...weight };
          if (o.goal === 'range') return { output: o.output, goal: 'range' as const, min: o.low, max: o.high, ...weight };
          return { output: o.output, goal: o.goal, ...weight };
        })
      : [],
    constraints: [...draft.equations.filter((e) => e.trim() !== ''), ...limitConstraints],
  };
}

/** "`A` + `B` + `C` == 100" over the named variables: the mixture equation users type most. */
export function mixtureEquation(names: readonly string[], total = 100): string {
  return `${names.map(quoteName).join(' + ')} == ${total}`;
}
