// Preconditions that training checks before it starts, with messages a researcher can act on.
import { TableError } from './errors.ts';
import type { NumericColumn, Table } from './table.ts';

/** The named output column, if it is numeric and holds at least one number; throws otherwise. */
export function requireOutputNumbers(table: Table, name: string): NumericColumn {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) {
    throw new TableError('unknown-column', `No column is named "${name}"`, { column: name });
  }
  if (column.kind === 'constant' && column.values.some((v) => v !== null)) {
    throw new TableError('constant-column', `output column ${name} has the same value in every row`, { column: name });
  }
  if (column.kind !== 'numeric') {
    throw new TableError('no-numbers', `output column ${name} has no numbers (it was read as ${column.kind})`, {
      column: name,
    });
  }
  if (!column.values.some((v) => !Number.isNaN(v))) {
    throw new TableError('no-numbers', `output column ${name} has no numbers`, { column: name });
  }
  return column;
}

/** Throws unless the table has at least `minimum` rows, the least the chosen model can learn from. */
export function requireRowCount(table: Table, minimum: number, model: string): void {
  if (table.rowCount < minimum) {
    throw new TableError(
      'too-few-rows',
      `${model} needs at least ${minimum} rows; the table has ${table.rowCount}`,
    );
  }
}
