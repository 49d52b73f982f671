// RFC 4180 records from text: quoted fields may hold delimiters, doubled quotes and line
// breaks. Line numbers are physical lines (1-based), so an error can point into the file.
import { TableError } from './errors.ts';

export type Delimiter = ',' | '\t' | ';';

export const DELIMITERS: readonly Delimiter[] = [',', '\t', ';'];

export interface DelimitedRecords {
  readonly records: string[][];
  /** The line each record starts on. */
  readonly lines: number[];
  /** Lines with nothing on them, skipped. */
  readonly blankLines: number[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits text into records. A quote that opens a field ends at the next lone quote; text after
 * it up to the delimiter is kept (as spreadsheets do) rather than dropped. Stops after
 * `maxRecords` records; an unclosed quote throws unless `maxRecords` is given (a sample).
 */
export function splitRecords(text: string, delimiter: Delimiter, maxRecords = Infinity): DelimitedRecords {
  const records: string[][] = [];
  const lines: number[] = [];
  const blankLines: number[] = [];
  const delim = delimiter.charCodeAt(0);
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n && records.length < maxRecords) {
    const recordLine = line;
    const fields: string[] = [];
    let anyQuoted = false;
    for (;;) {
      let field = '';
      if (text.charCodeAt(i) === QUOTE) {
        anyQuoted = true;
        const quoteLine = line;
        i++;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close < 0) {
            if (maxRecords !== Infinity) return { records, lines, blankLines };
            throw new TableError('unterminated-quote', `A quoted field opened on line ${quoteLine} is never closed`, {
              line: quoteLine,
            });
          }
          const chunk = text.slice(i, close);
          line += countLineBreaks(chunk);
          field += chunk;
          if (text.charCodeAt(close + 1) === QUOTE) {
            field += '"';
            i = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
      }
      const start = i;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === delim || c === LF || c === CR) break;
        i++;
      }
      field += text.slice(start, i);
      fields.push(field);
      if (i < n && text.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      if (i < n && text.charCodeAt(i) === CR) {
        i++;
        if (i < n && text.charCodeAt(i) === LF) i++;
      } else if (i < n) {
        i++;
      }
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '' && !anyQuoted) blankLines.push(recordLine);
    else {
      records.push(fields);
      lines.push(recordLine);
    }
  }
  return { records, lines, blankLines };
}

function countLineBreaks(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

const SAMPLE_RECORDS = 50;

/**
 * Picks the delimiter whose split of the first records is most consistent: the header must
 * have at least two fields, and the most sampled records must have as many fields as it.
 * Ties go to the wider split, then to comma, tab, semicolon in that order. A file with one
 * column has no delimiter to find, and reads as comma-separated.
 */
export function detectDelimiter(text: string): Delimiter {
  let best: Delimiter = ',';
  let bestScore = -1;
  let bestWidth = 0;
  for (const delimiter of DELIMITERS) {
    const { records } = splitRecords(text, delimiter, SAMPLE_RECORDS);
    if (records.length === 0) continue;
    const width = records[0].length;
    if (width < 2) continue;
    const score = records.filter((r) => r.length === width).length / records.length;
    if (score > bestScore || (score === bestScore && width > bestWidth)) {
      best = delimiter;
      bestScore = score;
      bestWidth = width;
    }
  }
  return best;
}
