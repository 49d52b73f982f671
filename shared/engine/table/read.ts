// The entry point for loading a file: bytes → { table, report }. The format is told by the
// bytes themselves (an XLSX is a ZIP, a legacy XLS a compound file), never by the file name.
import type { DecimalMark } from './cells.ts';
import { buildTypedTable, type ColumnReport, type ColumnTypeOptions } from './column-types.ts';
import { decodeText, type TextEncodingName } from './decode.ts';
import { detectDelimiter, splitRecords, type Delimiter } from './delimited.ts';
import { TableError } from './errors.ts';
import { readSheetGrid } from './spreadsheet.ts';
import type { Table } from './table.ts';

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export type TableFormat = 'delimited' | 'xlsx';

export interface ReadTableOptions extends ColumnTypeOptions {
  /** Overrides detection by the leading bytes. */
  readonly format?: TableFormat;
  /** Overrides encoding detection (delimited files). */
  readonly encoding?: TextEncodingName;
  /** Overrides delimiter detection (delimited files). */
  readonly delimiter?: Delimiter;
  /** Worksheet to read (workbooks); the first by default. */
  readonly sheet?: string;
  /** Larger files are refused before any parsing. */
  readonly maxBytes?: number;
}

export interface ReadReport {
  readonly format: TableFormat;
  readonly bytes: number;
  readonly encoding: TextEncodingName | null;
  readonly bom: boolean;
  readonly delimiter: Delimiter | null;
  readonly sheet: string | null;
  readonly sheetNames: readonly string[];
  readonly headerLine: number;
  readonly rowCount: number;
  /** Missing cells over all columns. */
  readonly missingCells: number;
  /** Lines with nothing on them (delimited files), skipped. */
  readonly blankLines: readonly number[];
  /** Rows whose cells were all blank, skipped. */
  readonly blankRowLines: readonly number[];
  /** 1-based positions of columns with neither a name nor any value, skipped. */
  readonly unnamedEmptyColumns: readonly number[];
  readonly columns: readonly ColumnReport[];
}

export interface ReadResult {
  readonly table: Table;
  readonly report: ReadReport;
}

/** Reads a CSV/TSV (UTF-8, UTF-16 with BOM, Shift_JIS) or XLSX file into a typed table. */
export function readTable(bytes: Uint8Array, options: ReadTableOptions = {}): ReadResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw new TableError('too-large', `The file has ${bytes.length} bytes; the limit is ${maxBytes}`);
  }
  if (bytes.length === 0) throw new TableError('empty', 'The file is empty');
  const format = options.format ?? detectFormat(bytes);
  return format === 'xlsx' ? readWorkbook(bytes, options) : readDelimited(bytes, options);
}

export function detectFormat(bytes: Uint8Array): TableFormat {
  const startsWith = (magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);
  if (startsWith([0x50, 0x4b, 0x03, 0x04]) || startsWith([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return 'xlsx';
  }
  return 'delimited';
}

function readWorkbook(bytes: Uint8Array, options: ReadTableOptions): ReadResult {
  const { grid, sheet, sheetNames } = readSheetGrid(bytes, options.sheet);
  const typed = buildTypedTable(grid, options, options.decimalMark ?? '.');
  return {
    table: typed.table,
    report: {
      format: 'xlsx',
      bytes: bytes.length,
      encoding: null,
      bom: false,
      delimiter: null,
      sheet,
      sheetNames,
      headerLine: grid.headerLine,
      rowCount: typed.table.rowCount,
      missingCells: sumMissing(typed.columns),
      blankLines: [],
      blankRowLines: typed.blankRowLines,
      unnamedEmptyColumns: typed.unnamedEmptyColumns,
      columns: typed.columns,
    },
  };
}

function readDelimited(bytes: Uint8Array, options: ReadTableOptions): ReadResult {
  const { text, encoding, bom } = decodeText(bytes, options.encoding);
  if (text.trim() === '') throw new TableError('empty', 'The file has no text');
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const { records, lines, blankLines } = splitRecords(text, delimiter);
  const [header, ...rows] = records;
  const rowLines = lines.slice(1);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new TableError(
        'ragged-row',
        `Line ${rowLines[r]} has ${row.length} fields but the header (line ${lines[0]}) has ${header.length}`,
        { line: rowLines[r] },
      );
    }
  });
  const fileDecimalMark: DecimalMark = delimiter === ';' ? ',' : '.';
  const typed = buildTypedTable(
    { header, headerLine: lines[0], rows, lines: rowLines },
    options,
    fileDecimalMark,
  );
  return {
    table: typed.table,
    report: {
      format: 'delimited',
      bytes: bytes.length,
      encoding,
      bom,
      delimiter,
      sheet: null,
      sheetNames: [],
      headerLine: lines[0],
      rowCount: typed.table.rowCount,
      missingCells: sumMissing(typed.columns),
      blankLines,
      blankRowLines: typed.blankRowLines,
      unnamedEmptyColumns: typed.unnamedEmptyColumns,
      columns: typed.columns,
    },
  };
}

function sumMissing(columns: readonly ColumnReport[]): number {
  return columns.reduce((sum, c) => sum + c.missing, 0);
}
