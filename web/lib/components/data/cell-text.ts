// A table cell as the grid shows it: the value as read, blank when missing.
import type { Column } from '../../../../shared/engine/table/table.ts';

export function cellText(column: Column, row: number): string {
  const value = column.values[row];
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '';
  return String(value);
}

/** The first `rows` rows, one array of cell texts per row. */
export function firstRows(columns: readonly Column[], rows: number): string[][] {
  const count = Math.min(rows, columns[0]?.values.length ?? 0);
  return Array.from({ length: count }, (_, i) => columns.map((column) => cellText(column, i)));
}
