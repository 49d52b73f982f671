// Reading one cell: is it missing, and is it a number? Spreadsheets in Japan often hold
// full-width digits (１２３．４), and European CSV files use a comma as the decimal mark.

export type DecimalMark = '.' | ',';

/** Cell texts read as missing, compared case-insensitively after trimming. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = [
  '',
  'NA',
  'N/A',
  'NaN',
  'null',
  '-',
  '#N/A',
  // Excel's other error values: a formula that failed holds no measurement.
  '#DIV/0!',
  '#VALUE!',
  '#REF!',
  '#NAME?',
  '#NUM!',
  '#NULL!',
];

export function createMissingTest(tokens: readonly string[] = DEFAULT_MISSING_TOKENS): (cell: string) => boolean {
  const set = new Set(tokens.map((t) => normalizeCell(t).toLowerCase()));
  return (cell) => set.has(normalizeCell(cell).toLowerCase());
}

/**
 * NFKC folds full-width digits, signs, points, commas and the ideographic space to ASCII;
 * U+2212 (the typographic minus) is not folded by NFKC, so it is mapped by hand.
 */
export function normalizeCell(cell: string): string {
  let s = cell.trim();
  // Plain ASCII, the common case, needs no normalization.
  if (/[^\x20-\x7e]/.test(s)) s = s.normalize('NFKC').replace(/\u2212/g, '-').trim();
  return s;
}

const NUMBER_WITH_POINT = /^[+-]?(?:\d+|[1-9]\d{0,2}(?:,\d{3})+)?(?:\.\d*)?(?:[eE][+-]?\d+)?$/;
const NUMBER_WITH_COMMA = /^[+-]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)?(?:,\d*)?(?:[eE][+-]?\d+)?$/;
const HAS_DIGIT_BEFORE_EXPONENT = /^[^eE]*\d/;

/**
 * The number a cell holds, or null when it is not a number. With a point as decimal mark,
 * commas may group thousands (1,234.5); with a comma, points may (1.234,5). A group separator
 * is accepted only in well-formed groups of three, so 1,5 is not read as 15.
 */
export function parseNumberCell(cell: string, decimalMark: DecimalMark = '.'): number | null {
  const s = normalizeCell(cell);
  if (s === '' || !HAS_DIGIT_BEFORE_EXPONENT.test(s)) return null;
  if (decimalMark === '.') {
    if (!NUMBER_WITH_POINT.test(s)) return null;
    return Number(s.replace(/,/g, ''));
  }
  if (!NUMBER_WITH_COMMA.test(s)) return null;
  return Number(s.replace(/\./g, '').replace(',', '.'));
}
