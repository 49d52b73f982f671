// One error type for everything the table engine refuses, so a screen can show a precise
// message and a caller can branch on `code` without parsing text.

export type TableErrorCode =
  /** The file exceeds the configured byte limit. */
  | 'too-large'
  /** No bytes, no header, or a header without data rows. */
  | 'empty'
  /** Binary content (NUL bytes, control characters, an unreadable workbook). */
  | 'not-a-table'
  /** The bytes are not valid in the detected or requested text encoding. */
  | 'bad-encoding'
  /** A quoted field is never closed. */
  | 'unterminated-quote'
  /** A data row has a different number of fields than the header. */
  | 'ragged-row'
  /** A column with data has no name. */
  | 'blank-header'
  /** Two columns share a name. */
  | 'duplicate-header'
  /** The requested worksheet does not exist. */
  | 'unknown-sheet'
  /** An option or a caller names a column the table does not have. */
  | 'unknown-column'
  /** A column that must hold numbers holds none. */
  | 'no-numbers'
  /** A column that must vary has one value in every row. */
  | 'constant-column'
  /** Fewer rows than the chosen model needs. */
  | 'too-few-rows'
  /** An identifier or constant column offered as a model input. */
  | 'unusable-column'
  /** A log transform asked for a column with zero or negative values. */
  | 'non-positive'
  /** A label that the encoding did not see in training. */
  | 'unknown-category';

export interface TableErrorDetails {
  /** 1-based line of a delimited file, or 1-based row of a worksheet. */
  readonly line?: number;
  /** The column concerned, by name, or by 1-based position when it has no name. */
  readonly column?: string;
  readonly cause?: unknown;
}

export class TableError extends Error {
  override readonly name = 'TableError';
  readonly code: TableErrorCode;
  readonly line: number | undefined;
  readonly column: string | undefined;

  constructor(code: TableErrorCode, message: string, details: TableErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.line = details.line;
    this.column = details.column;
  }
}
