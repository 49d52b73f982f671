// Test-only: reads the small numeric CSV files under /work/shared/data (the table parser lives
// elsewhere). Uses node:fs, so nothing outside *.test.ts files may import it.
import { readFileSync } from 'node:fs';
import { type Matrix, createMatrix } from '../matrix.ts';

export const SHARED_DATA = new URL('../../../../../shared/data/', import.meta.url);

/** A comma-separated file with a header row and numeric cells only. */
export function readNumericCsv(name: string): { header: string[]; rows: number[][] } {
  const text = readFileSync(new URL(name, SHARED_DATA), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const rows = lines.slice(1).map((line) => line.split(',').map(Number));
  return { header, rows };
}

/** Splits a numeric CSV into inputs (every other column) and targets (the named columns). */
export function readXY(name: string, outputs: readonly string[]): { x: Matrix; y: Matrix; inputs: string[] } {
  const { header, rows } = readNumericCsv(name);
  const outIdx = outputs.map((o) => header.indexOf(o));
  if (outIdx.some((i) => i < 0)) throw new Error(`Missing output column in ${name}`);
  const inIdx = header.map((_, i) => i).filter((i) => !outIdx.includes(i));
  const x = createMatrix(rows.length, inIdx.length);
  const y = createMatrix(rows.length, outIdx.length);
  rows.forEach((row, r) => {
    inIdx.forEach((c, k) => (x.data[r * inIdx.length + k] = row[c]));
    outIdx.forEach((c, k) => (y.data[r * outIdx.length + k] = row[c]));
  });
  return { x, y, inputs: inIdx.map((i) => header[i]) };
}
