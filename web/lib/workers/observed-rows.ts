// The rows of a task's table as the spec's variables see them (text categories as their index,
// fixed settings as their value), with the named outputs, keeping only complete rows: what
// SHAP, partial dependence and suggestions take as measured data.
import type { VariableSpec } from '../../../shared/engine/optimize/problem.ts';
import type { Table } from '../../../shared/engine/table/table.ts';

export interface ObservedRows {
  readonly columns: Float64Array[];
  readonly outputs: Float64Array[];
  readonly rows: number;
}

export function observedRows(table: Table, variables: readonly VariableSpec[], outputs: readonly string[]): ObservedRows {
  const n = table.rowCount;
  const columnOf = (name: string) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new RangeError(`The table has no column "${name}"`);
    return column;
  };
  const columns = variables.map((variable) => {
    if (variable.type === 'fixed') return new Float64Array(n).fill(variable.value);
    const column = columnOf(variable.name);
    if (variable.type === 'categorical') {
      const levels = variable.values.map(String);
      return Float64Array.from({ length: n }, (_, i) => {
        const index = levels.indexOf(String(column.values[i]));
        return index < 0 ? NaN : index;
      });
    }
    return column.kind === 'numeric' ? Float64Array.from(column.values) : new Float64Array(n).fill(NaN);
  });
  const targets = outputs.map((name) => {
    const column = columnOf(name);
    return column.kind === 'numeric' ? column.values : new Float64Array(n).fill(NaN);
  });
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (columns.every((c) => !Number.isNaN(c[i])) && targets.every((c) => !Number.isNaN(c[i]))) keep.push(i);
  }
  return {
    columns: columns.map((c) => Float64Array.from(keep, (i) => c[i])),
    outputs: targets.map((c) => Float64Array.from(keep, (i) => c[i])),
    rows: keep.length,
  };
}
