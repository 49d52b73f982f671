// A "system": trained models and user formulas wired together by name, evaluated a whole
// batch of rows at a time. A model's inputs may be variables, fixed settings, formulas or
// another model's outputs (chained, multi-stage processes); the order is worked out here.
import { compileExpression, type CompiledExpression } from '../optimize/expression.ts';
import { createTable, type Column } from '../table/table.ts';
import { predictTable, type LoadedModel } from '../train/predict.ts';

export type ColumnValues = Float64Array | readonly (string | null)[];

export interface SystemEvaluation {
  /** Every model output, formula and intermediate expression, by name. */
  readonly mean: Record<string, Float64Array>;
  /** Standard deviations of model outputs (formulas carry none). */
  readonly std: Record<string, Float64Array>;
  /** Per row: every model that ran saw inputs inside its training domain. */
  readonly inDomain: boolean[];
}

export interface System {
  /** Names the system computes: model outputs, expressions and formula outputs. */
  readonly outputs: readonly string[];
  /** Names it needs from outside: model inputs and formula variables that nothing computes. */
  readonly requiredInputs: readonly string[];
  evaluate(inputs: Readonly<Record<string, ColumnValues>>, n: number): SystemEvaluation;
}

type Step =
  | { kind: 'model'; label: string; model: LoadedModel; needs: readonly string[]; gives: readonly string[] }
  | { kind: 'formula'; name: string; expression: CompiledExpression; needs: readonly string[]; gives: readonly string[] };

export class SystemError extends Error {
  override name = 'SystemError';
}

export interface NamedModel {
  /** How the user named it (the file path), for messages. */
  readonly label: string;
  readonly model: LoadedModel;
}

export function createSystem(
  models: readonly NamedModel[],
  formulas: Readonly<Record<string, string>> = {},
  provided: readonly string[] = [],
): System {
  const steps: Step[] = [
    ...models.map(({ label, model }): Step => ({ kind: 'model', label, model, needs: model.inputs, gives: model.outputs })),
    ...Object.entries(formulas).map(([name, source]): Step => {
      const expression = compileExpression(source);
      return { kind: 'formula', name, expression, needs: expression.variables, gives: [name] };
    }),
  ];
  const producers = new Map<string, string>();
  for (const step of steps) {
    for (const name of step.gives) {
      const other = producers.get(name);
      const label = step.kind === 'model' ? step.label : `formula ${name}`;
      if (other) throw new SystemError(`"${name}" is computed twice: by ${other} and by ${label}`);
      producers.set(name, label);
    }
  }
  // Order the steps so each runs after what it needs (Kahn's algorithm over names).
  const known = new Set(provided);
  const ordered: Step[] = [];
  const pending = [...steps];
  while (pending.length > 0) {
    const index = pending.findIndex((step) => step.needs.every((n) => known.has(n) || !producers.has(n)));
    if (index < 0) {
      throw new SystemError(`These depend on each other in a loop: ${pending.map((s) => (s.kind === 'model' ? s.label : s.name)).join(', ')}`);
    }
    const [step] = pending.splice(index, 1);
    ordered.push(step);
    for (const name of step.gives) known.add(name);
  }
  const computed = new Set(producers.keys());
  const requiredInputs = [...new Set(steps.flatMap((s) => s.needs))].filter((n) => !computed.has(n));

  return {
    outputs: [...computed],
    requiredInputs,
    evaluate(inputs, n) {
      for (const name of requiredInputs) {
        if (!(name in inputs)) {
          const users = steps.filter((s) => s.needs.includes(name)).map((s) => (s.kind === 'model' ? s.label : `formula ${s.name}`));
          throw new SystemError(`"${name}" is needed by ${users.join(', ')}: give it as a variable or a fixed value`);
        }
      }
      const values: Record<string, ColumnValues> = { ...inputs };
      const mean: Record<string, Float64Array> = {};
      const std: Record<string, Float64Array> = {};
      const inDomain = new Array<boolean>(n).fill(true);
      for (const step of ordered) {
        if (step.kind === 'formula') {
          const numeric: Record<string, ArrayLike<number>> = {};
          for (const name of step.needs) {
            const column = values[name];
            if (column instanceof Float64Array) numeric[name] = column;
            else throw new SystemError(`formula ${step.name} uses "${name}", which is not a number`);
          }
          const result = step.expression.evaluateBatch(numeric, n);
          mean[step.name] = result;
          values[step.name] = result;
          continue;
        }
        const columns: Column[] = step.needs.map((name) => {
          const column = values[name];
          return column instanceof Float64Array
            ? { name, kind: 'numeric', values: column.length === n ? column : column.subarray(0, n) }
            : { name, kind: 'categorical', values: column.slice(0, n) };
        });
        const prediction = predictTable(step.model, createTable(columns));
        for (const output of prediction.outputs) {
          mean[output.name] = output.mean;
          std[output.name] = output.std;
          values[output.name] = output.mean;
        }
        prediction.inDomain.forEach((ok, i) => {
          if (!ok) inDomain[i] = false;
        });
      }
      return { mean, std, inDomain };
    },
  };
}
