// Reads rows of a data file as the columns a spec's variables need (text categories as
// their index), and the named outputs where the file has them.
import type { VariableSpec } from '../../shared/engine/optimize/problem.ts';
import type { Table } from '../../shared/engine/table/table.ts';
import { UsageError } from './io.ts';

export interface SpecRows {
  readonly columns: Float64Array[];
  readonly outputs: Record<string, Float64Array>;
  readonly rows: number;
}

export function specRows(table: Table, variables: readonly VariableSpec[], outputs: readonly string[]): SpecRows {
  const rows = table.rowCount;
  const columns = variables.map((variable) => {
    if (variable.type === 'fixed') return new Float64Array(rows).fill(variable.value);
    const column = table.columns.find((c) => c.name === variable.name);
    if (!column) throw new UsageError(`The data file has no column "${variable.name}"`);
    if (variable.type === 'categorical') {
      const values = variable.values.map(String);
      return Float64Array.from({ length: rows }, (_, i) => {
        const value = column.values[i];
        const index = values.indexOf(String(value));
        if (index < 0) throw new UsageError(`Row ${i + 1} of "${variable.name}" holds ${String(value)}, not one of its values`);
        return index;
      });
    }
    if (column.kind !== 'numeric') throw new UsageError(`Column "${variable.name}" in the data file is not numeric`);
    return Float64Array.from(column.values);
  });
  const found: Record<string, Float64Array> = {};
  for (const name of outputs) {
    const column = table.columns.find((c) => c.name === name);
    if (column?.kind === 'numeric') found[name] = Float64Array.from(column.values);
  }
  return { columns, outputs: found, rows };
}

/** Keeps the rows where every named column is a number. */
export function completeRows(data: SpecRows, names: readonly string[]): SpecRows {
  const keep: number[] = [];
  for (let i = 0; i < data.rows; i++) {
    if (data.columns.every((c) => !Number.isNaN(c[i])) && names.every((name) => !Number.isNaN(data.outputs[name]?.[i] ?? NaN))) keep.push(i);
  }
  return {
    columns: data.columns.map((c) => Float64Array.from(keep, (i) => c[i])),
    outputs: Object.fromEntries(Object.entries(data.outputs).map(([name, c]) => [name, Float64Array.from(keep, (i) => c[i])])),
    rows: keep.length,
  };
}
