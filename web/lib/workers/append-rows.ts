// New experiment results appended to a dataset: the rows of a filled experiment sheet under the
// dataset's own columns, written as one CSV (the new, immutable dataset version). Columns are
// matched by name; a sheet column the dataset lacks (the sheet's "run") is left out and
// reported, and a dataset column the sheet lacks stays blank in the new rows.
import type { Table } from '../../../shared/engine/table/table.ts';

export interface AppendedTable {
  /** The combined table as UTF-8 CSV text. */
  csv: string;
  rows: number;
  added: number;
  /** Sheet columns the dataset does not have, left out. */
  ignored: string[];
  /** Dataset columns the sheet does not have, blank in the new rows. */
  blank: string[];
}

type Cell = string | number | null;

function csvCell(value: Cell): string {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function appendRows(dataset: Table, sheet: Table): AppendedTable {
  const names = dataset.columns.map((c) => c.name);
  const shared = sheet.columns.filter((c) => names.includes(c.name));
  if (shared.length === 0) throw new RangeError('The file has none of the dataset\'s columns');
  if (sheet.rowCount === 0) throw new RangeError('The file has no rows');
  const added = dataset.columns.map((column) => {
    const from = sheet.columns.find((c) => c.name === column.name);
    return Array.from({ length: sheet.rowCount }, (_, i): Cell => {
      const value = from ? from.values[i] : null;
      if (column.kind !== 'numeric' || value === null || typeof value === 'number') return value;
      // The sheet read this column as text (few rows, one text cell): every cell must still be a number.
      const number = Number(value.replace(/,/g, ''));
      if (!Number.isFinite(number)) throw new RangeError(`Row ${i + 1} of the file, column "${column.name}": "${value}" is not a number`);
      return number;
    });
  });
  const lines = [names.map(csvCell).join(',')];
  for (let i = 0; i < dataset.rowCount; i++) lines.push(dataset.columns.map((c) => csvCell(c.values[i])).join(','));
  for (let i = 0; i < sheet.rowCount; i++) lines.push(added.map((cells) => csvCell(cells[i])).join(','));
  return {
    csv: lines.join('\r\n') + '\r\n',
    rows: dataset.rowCount + sheet.rowCount,
    added: sheet.rowCount,
    ignored: sheet.columns.filter((c) => !names.includes(c.name)).map((c) => c.name),
    blank: names.filter((name) => !sheet.columns.some((c) => c.name === name)),
  };
}
