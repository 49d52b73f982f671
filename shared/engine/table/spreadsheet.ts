// Worksheet cells → a raw grid, with SheetJS. Numbers stay numbers (no text round trip);
// error cells (#N/A, #DIV/0!) become their text, which the missing-value test recognizes.
import { read, utils, type CellObject, type WorkBook } from '@e965/xlsx';
import type { RawCell, RawGrid } from './column-types.ts';
import { TableError } from './errors.ts';

export interface SheetGrid {
  readonly grid: RawGrid;
  readonly sheet: string;
  readonly sheetNames: readonly string[];
}

/** Reads the named worksheet, or the first one, of an XLSX (or legacy XLS) workbook. */
export function readSheetGrid(bytes: Uint8Array, sheet?: string): SheetGrid {
  let workbook: WorkBook;
  try {
    workbook = read(bytes, { type: 'array', cellFormula: false, cellHTML: false, cellStyles: false, dense: false });
  } catch (cause) {
    throw new TableError('not-a-table', 'The file could not be read as an Excel workbook', { cause });
  }
  const sheetNames = workbook.SheetNames;
  if (sheetNames.length === 0) throw new TableError('empty', 'The workbook has no worksheets');
  const name = sheet ?? sheetNames[0];
  const worksheet = workbook.Sheets[name];
  if (!sheetNames.includes(name) || worksheet === undefined) {
    throw new TableError('unknown-sheet', `The workbook has no worksheet named "${name}"`);
  }
  const ref = worksheet['!ref'];
  if (ref === undefined) throw new TableError('empty', `Worksheet "${name}" is empty`);
  const range = utils.decode_range(ref);
  const rows: RawCell[][] = [];
  const lines: number[] = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row: RawCell[] = [];
    for (let c = range.s.c; c <= range.e.c; c++) {
      const cell = worksheet[utils.encode_cell({ r, c })] as CellObject | undefined;
      row.push(rawCell(cell));
    }
    rows.push(row);
    lines.push(r + 1);
  }
  // The header is the first row with anything in it.
  const headerIndex = rows.findIndex((row) => row.some((cell) => cell !== null && cell !== ''));
  if (headerIndex < 0) throw new TableError('empty', `Worksheet "${name}" is empty`);
  return {
    grid: {
      header: rows[headerIndex],
      headerLine: lines[headerIndex],
      rows: rows.slice(headerIndex + 1),
      lines: lines.slice(headerIndex + 1),
    },
    sheet: name,
    sheetNames,
  };
}

function rawCell(cell: CellObject | undefined): RawCell {
  if (cell === undefined) return null;
  switch (cell.t) {
    case 'n':
      return typeof cell.v === 'number' ? cell.v : null;
    case 's':
      return typeof cell.v === 'string' ? cell.v : null;
    case 'b':
      return cell.v === true ? 'TRUE' : 'FALSE';
    case 'e':
      return cell.w ?? '#N/A';
    case 'd':
      return cell.v instanceof Date ? cell.v.toISOString() : (cell.w ?? null);
    default:
      return null;
  }
}
