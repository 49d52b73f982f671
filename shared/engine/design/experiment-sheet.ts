// The sheet a lab fills in: one row per planned run, the input columns filled, the output
// columns blank for the results, a header row of names. RFC 4180 quoting; text cells that a
// spreadsheet would read as a formula (=, +, −, @ first) get a leading apostrophe (OWASP's
// advice against CSV injection), numbers are written as they are.
import type { VariableSpec } from '../optimize/problem.ts';

export interface ExperimentSheetOptions {
  /** Name of a leading run-number column (default "run"; null leaves it out). */
  readonly runColumn?: string | null;
  /** Significant digits of continuous values (default: full precision). */
  readonly digits?: number;
  /** Line ending (default "\r\n", as RFC 4180). */
  readonly newline?: string;
}

/**
 * CSV text of a plan: `columns` holds one column per variable in spec order as a model sees it
 * (text categories as their index), `rows` rows of them.
 */
export function experimentSheetCsv(
  variables: readonly VariableSpec[],
  columns: readonly ArrayLike<number>[],
  rows: number,
  outputs: readonly string[],
  options: ExperimentSheetOptions = {},
): string {
  if (columns.length !== variables.length) throw new RangeError('one column per variable is needed');
  const runColumn = options.runColumn === undefined ? 'run' : options.runColumn;
  const newline = options.newline ?? '\r\n';
  const header = [...(runColumn === null ? [] : [runColumn]), ...variables.map((v) => v.name), ...outputs].map(textCell);
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = runColumn === null ? [] : [String(r + 1)];
    variables.forEach((variable, i) => cells.push(valueCell(variable, columns[i][r], options.digits)));
    for (let k = 0; k < outputs.length; k++) cells.push('');
    lines.push(cells.join(','));
  }
  return lines.join(newline) + newline;
}

function valueCell(variable: VariableSpec, value: number, digits: number | undefined): string {
  if (variable.type === 'categorical' && typeof variable.values[0] === 'string') {
    const label = variable.values[value];
    return typeof label === 'string' ? textCell(label) : '';
  }
  if (variable.type === 'continuous' && digits !== undefined) return numberCell(Number(value.toPrecision(digits)));
  return numberCell(value);
}

function numberCell(value: number): string {
  return Number.isFinite(value) ? String(value) : '';
}

function textCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
