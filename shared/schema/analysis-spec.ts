import * as v from 'valibot';

const Finite = v.pipe(v.number(), v.finite());
const Name = v.pipe(v.string(), v.minLength(1));

/** A variable the optimizer (or a design, or Sobol) may set. */
export const VariableDefinition = v.union([
  v.strictObject({
    min: Finite,
    max: Finite,
    integer: v.optional(v.boolean()),
    step: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0))),
  }),
  v.strictObject({ values: v.pipe(v.array(v.union([v.string(), Finite])), v.minLength(1)) }),
]);
export type VariableDefinition = v.InferOutput<typeof VariableDefinition>;

export const Objective = v.variant('goal', [
  v.strictObject({ output: Name, goal: v.picklist(['min', 'max']), weight: v.optional(Finite) }),
  v.strictObject({ output: Name, goal: v.literal('target'), value: Finite, weight: v.optional(Finite) }),
  v.strictObject({ output: Name, goal: v.literal('range'), min: Finite, max: Finite, weight: v.optional(Finite) }),
]);
export type Objective = v.InferOutput<typeof Objective>;

/**
 * A problem for explain, optimize, suggest and design: the variables and their ranges,
 * fixed settings, formulas, goals and constraints. Models (trained files) are given beside it.
 */
export const AnalysisSpec = v.strictObject({
  variables: v.record(Name, VariableDefinition),
  fixed: v.optional(v.record(Name, v.union([Finite, v.string()])), {}),
  /** Named intermediate formulas, usable in outputs, objectives and constraints. */
  expressions: v.optional(v.record(Name, Name), {}),
  /** Outputs computed by formulas rather than a trained model. */
  outputs: v.optional(v.record(Name, Name), {}),
  objectives: v.optional(v.array(Objective), []),
  constraints: v.optional(v.array(Name), []),
  robustness: v.optional(v.strictObject({ k: v.pipe(v.number(), v.finite(), v.minValue(0)) })),
  algorithm: v.optional(
    v.strictObject({
      name: v.optional(v.picklist(['auto', 'nsga2', 'nsga3']), 'auto'),
      population: v.optional(v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(10_000)), 100),
      generations: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)), 250),
      seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    }),
    {},
  ),
  /** Hypervolume reference point, one value per objective (in the objectives' own units). */
  reference: v.optional(v.array(Finite)),
  /** "Cheapest recipe whose strength is at least X": minimize or maximize one output subject to bounds on others. */
  query: v.optional(
    v.strictObject({
      output: Name,
      goal: v.picklist(['min', 'max']),
      where: v.array(v.strictObject({ output: Name, atLeast: v.optional(Finite), atMost: v.optional(Finite) })),
    }),
  ),
});
export type AnalysisSpecInput = v.InferInput<typeof AnalysisSpec>;
export type AnalysisSpec = v.InferOutput<typeof AnalysisSpec>;

export class SpecError extends Error {
  override name = 'SpecError';
}

export function parseAnalysisSpec(value: unknown): AnalysisSpec {
  const result = v.safeParse(AnalysisSpec, value);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new SpecError(`The spec is not valid${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  for (const [name, variable] of Object.entries(result.output.variables)) {
    if ('min' in variable && !(variable.min <= variable.max)) {
      throw new SpecError(`The spec is not valid at variables.${name}: min must not exceed max`);
    }
  }
  return result.output;
}
