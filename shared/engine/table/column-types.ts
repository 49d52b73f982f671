// From a grid of raw cells (header + rows) to a typed Table: names checked, blank rows and
// unnamed empty columns skipped (and reported), each column's kind detected or overridden.
import { createMissingTest, parseNumberCell, type DecimalMark } from './cells.ts';
import { TableError } from './errors.ts';
import { createTable, type Column, type ColumnKind, type Table } from './table.ts';

/** A cell as a reader found it: text, a number (spreadsheets only), or nothing. */
export type RawCell = string | number | null;

export interface RawGrid {
  readonly header: readonly RawCell[];
  /** Line (or worksheet row) of the header, 1-based. */
  readonly headerLine: number;
  readonly rows: readonly (readonly RawCell[])[];
  /** Line (or worksheet row) of each data row, 1-based. */
  readonly lines: readonly number[];
}

export interface ColumnTypeOptions {
  /** Kinds chosen by the user, by column name; the rest are detected. */
  readonly kinds?: Readonly<Record<string, ColumnKind>>;
  /** Cell texts read as missing (case-insensitive); defaults to DEFAULT_MISSING_TOKENS. */
  readonly missingTokens?: readonly string[];
  /** Forces the decimal mark of text cells; by default each column takes the reading that parses more cells. */
  readonly decimalMark?: DecimalMark;
}

export interface ColumnReport {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly detectedKind: ColumnKind;
  /** Why the column has its kind, in words for the import screen. */
  readonly reason: string;
  /** Missing cells in the final column, including `coercedToMissing`. */
  readonly missing: number;
  /** How the missing cells were written: '' for blank, else the token as found (e.g. 'NA'). */
  readonly missingTokens: Readonly<Record<string, number>>;
  /** Cells with text that is neither a number nor a missing token. */
  readonly notNumeric: number;
  /** Line of the first such cell, or null. */
  readonly firstNotNumericLine: number | null;
  /** Text cells made missing because the user chose `numeric` for the column. */
  readonly coercedToMissing: number;
  /** Decimal mark used for the column's text cells (null when nothing needed it). */
  readonly decimalMark: DecimalMark | null;
  /** Distinct present values. */
  readonly distinct: number;
}

export interface TypedTable {
  readonly table: Table;
  readonly columns: readonly ColumnReport[];
  /** Lines whose cells were all blank, skipped. */
  readonly blankRowLines: readonly number[];
  /** 1-based positions of columns with neither a name nor any value, skipped. */
  readonly unnamedEmptyColumns: readonly number[];
}

export function buildTypedTable(
  grid: RawGrid,
  options: ColumnTypeOptions = {},
  fileDecimalMark: DecimalMark = '.',
): TypedTable {
  const isMissing = createMissingTest(options.missingTokens);
  const names = grid.header.map((cell) => cellText(cell));
  const kept: number[] = [];
  const unnamedEmptyColumns: number[] = [];
  const seen = new Map<string, number>();
  for (let j = 0; j < names.length; j++) {
    const name = names[j];
    if (name === '') {
      if (grid.rows.every((row) => isBlank(row[j]))) {
        unnamedEmptyColumns.push(j + 1);
        continue;
      }
      throw new TableError('blank-header', `Column ${j + 1} has values but no name (line ${grid.headerLine})`, {
        line: grid.headerLine,
        column: String(j + 1),
      });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new TableError(
        'duplicate-header',
        `Columns ${first + 1} and ${j + 1} are both named "${name}" (line ${grid.headerLine})`,
        { line: grid.headerLine, column: name },
      );
    }
    seen.set(name, j);
    kept.push(j);
  }
  if (kept.length === 0) throw new TableError('empty', 'The table has no columns');

  const rows: (readonly RawCell[])[] = [];
  const lines: number[] = [];
  const blankRowLines: number[] = [];
  grid.rows.forEach((row, r) => {
    if (kept.every((j) => isBlank(row[j]))) blankRowLines.push(grid.lines[r]);
    else {
      rows.push(row);
      lines.push(grid.lines[r]);
    }
  });
  if (rows.length === 0) throw new TableError('empty', 'The table has a header but no data rows');

  for (const name of Object.keys(options.kinds ?? {})) {
    if (!seen.has(name)) throw new TableError('unknown-column', `No column is named "${name}"`, { column: name });
  }

  const columns: Column[] = [];
  const reports: ColumnReport[] = [];
  for (const j of kept) {
    const cells = rows.map((row) => row[j] ?? null);
    const typed = typeColumn(names[j], cells, lines, {
      isMissing,
      decimalMark: options.decimalMark,
      fileDecimalMark,
      override: options.kinds?.[names[j]],
    });
    columns.push(typed.column);
    reports.push(typed.report);
  }
  return { table: createTable(columns), columns: reports, blankRowLines, unnamedEmptyColumns };
}

interface TypeColumnContext {
  readonly isMissing: (cell: string) => boolean;
  readonly decimalMark: DecimalMark | undefined;
  readonly fileDecimalMark: DecimalMark;
  readonly override: ColumnKind | undefined;
}

function typeColumn(
  name: string,
  cells: readonly RawCell[],
  lines: readonly number[],
  context: TypeColumnContext,
): { column: Column; report: ColumnReport } {
  const n = cells.length;
  const texts: (string | null)[] = new Array<string | null>(n);
  const missingTokens: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    const text = cell === null ? '' : typeof cell === 'number' ? String(cell) : cell.trim();
    if (typeof cell !== 'number' && (text === '' || context.isMissing(text))) {
      texts[i] = null;
      missingTokens[text] = (missingTokens[text] ?? 0) + 1;
    } else {
      texts[i] = text;
    }
  }

  const decimalMark = context.decimalMark ?? chooseDecimalMark(cells, texts, context.fileDecimalMark);
  const numbers = new Float64Array(n);
  let present = 0;
  let notNumeric = 0;
  let firstNotNumericLine: number | null = null;
  let needsDecimal = false;
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    const text = texts[i];
    if (text === null) {
      numbers[i] = NaN;
      continue;
    }
    present++;
    const value = typeof cell === 'number' ? cell : parseNumberCell(text, decimalMark);
    if (typeof cell !== 'number' && /[.,]/.test(text)) needsDecimal = true;
    if (value === null || !Number.isFinite(value)) {
      numbers[i] = NaN;
      notNumeric++;
      firstNotNumericLine ??= lines[i];
    } else {
      numbers[i] = value;
    }
  }

  const allNumbers = present > 0 && notNumeric === 0;
  const distinct = allNumbers ? countDistinctNumbers(numbers) : countDistinctTexts(texts);
  let detectedKind: ColumnKind;
  let reason: string;
  if (present === 0) {
    detectedKind = 'constant';
    reason = 'every cell is missing';
  } else if (distinct === 1) {
    detectedKind = 'constant';
    reason = 'one value in every row';
  } else if (allNumbers) {
    detectedKind = 'numeric';
    reason = 'every value is a number';
  } else if (distinct === present && 2 * (present - notNumeric) < present) {
    // Unique text, like sample IDs; a mostly numeric column with a few text cells is not one.
    detectedKind = 'identifier';
    reason = 'every value is different, like sample IDs';
  } else {
    detectedKind = 'categorical';
    reason =
      notNumeric < present
        ? `${notNumeric} of ${present} values are not numbers (first on line ${firstNotNumericLine})`
        : 'text with repeated values';
  }
  const kind = context.override ?? detectedKind;
  if (context.override !== undefined && context.override !== detectedKind) {
    reason = `chosen by the user (detected as ${detectedKind}: ${reason})`;
  }

  const coercedToMissing = kind === 'numeric' ? notNumeric : 0;
  const missing = n - present + coercedToMissing;
  const column: Column =
    kind === 'numeric' ? { name, kind, values: numbers } : { name, kind, values: texts };
  return {
    column,
    report: {
      name,
      kind,
      detectedKind,
      reason,
      missing,
      missingTokens,
      notNumeric,
      firstNotNumericLine,
      coercedToMissing,
      decimalMark: needsDecimal ? decimalMark : null,
      distinct,
    },
  };
}

/**
 * 1.250 is 1.25 to a British reader and 1250 to a German one. A column takes the decimal mark
 * under which more of its cells are numbers; only a tie (every cell reads both ways) falls
 * back to the file's convention (comma for semicolon-separated files).
 */
function chooseDecimalMark(
  cells: readonly RawCell[],
  texts: readonly (string | null)[],
  fileDecimalMark: DecimalMark,
): DecimalMark {
  let point = 0;
  let comma = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text === null || typeof cells[i] === 'number' || !/[.,]/.test(text)) continue;
    if (parseNumberCell(text, '.') !== null) point++;
    if (parseNumberCell(text, ',') !== null) comma++;
  }
  if (point === comma) return fileDecimalMark;
  return point > comma ? '.' : ',';
}

function countDistinctNumbers(values: Float64Array): number {
  const set = new Set<number>();
  for (const v of values) if (!Number.isNaN(v)) set.add(v);
  return set.size;
}

function countDistinctTexts(values: readonly (string | null)[]): number {
  const set = new Set<string>();
  for (const v of values) if (v !== null) set.add(v);
  return set.size;
}

function cellText(cell: RawCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? String(cell) : cell.trim();
}

function isBlank(cell: RawCell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}
