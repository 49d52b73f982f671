// The columnar table every part of the engine works on.
// Numeric columns hold float64 with NaN for a missing cell; text columns hold
// strings with null for a missing cell. Rows are implicit: all columns have the same length.

export type ColumnKind = 'numeric' | 'categorical' | 'identifier' | 'constant';

export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  readonly values: Float64Array;
}

export interface TextColumn {
  readonly name: string;
  /** categorical: a few repeated labels; identifier: unique per row (sample IDs); constant: one value. */
  readonly kind: 'categorical' | 'identifier' | 'constant';
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | TextColumn;

export interface Table {
  readonly columns: readonly Column[];
  readonly rowCount: number;
}

/** Builds a table, checking that every column has rowCount cells and names are unique. */
export function createTable(columns: readonly Column[]): Table {
  const rowCount = columns.length === 0 ? 0 : columns[0].values.length;
  const seen = new Set<string>();
  for (const column of columns) {
    if (column.values.length !== rowCount) {
      throw new RangeError(
        `Column "${column.name}" has ${column.values.length} cells but the table has ${rowCount} rows`,
      );
    }
    if (seen.has(column.name)) throw new RangeError(`Duplicate column name "${column.name}"`);
    seen.add(column.name);
  }
  return { columns, rowCount };
}
