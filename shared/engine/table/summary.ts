// Per-column summary statistics: what the import screen shows beside each column.
import type { Column, Table } from './table.ts';

export interface NumericSummary {
  readonly name: string;
  readonly kind: 'numeric';
  readonly count: number;
  readonly missing: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); NaN below two values. */
  readonly std: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  /** Counts in equal-width bins from min to max (the last bin includes max). */
  readonly histogram: readonly number[];
}

export interface TextSummary {
  readonly name: string;
  readonly kind: 'categorical' | 'identifier' | 'constant';
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** The most frequent labels, most frequent first, ties in first-seen order. */
  readonly top: readonly { readonly value: string; readonly count: number }[];
}

export type ColumnSummary = NumericSummary | TextSummary;

export interface SummaryOptions {
  readonly bins?: number;
  readonly topLabels?: number;
}

export function summarizeTable(table: Table, options: SummaryOptions = {}): ColumnSummary[] {
  return table.columns.map((column) => summarizeColumn(column, options));
}

export function summarizeColumn(column: Column, { bins = 10, topLabels = 5 }: SummaryOptions = {}): ColumnSummary {
  if (column.kind === 'numeric') return summarizeNumeric(column.name, column.values, bins);
  const counts = new Map<string, number>();
  let missing = 0;
  for (const value of column.values) {
    if (value === null) missing++;
    else counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const top = [...counts.entries()]
    .map(([value, count], order) => ({ value, count, order }))
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, topLabels)
    .map(({ value, count }) => ({ value, count }));
  return {
    name: column.name,
    kind: column.kind,
    count: column.values.length - missing,
    missing,
    distinct: counts.size,
    top,
  };
}

function summarizeNumeric(name: string, values: Float64Array, bins: number): NumericSummary {
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  const n = present.length;
  // Welford's update: a two-pass sum of squares loses digits when the mean is large
  // compared with the spread (e.g. temperatures in kelvin).
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const delta = present[i] - mean;
    mean += delta / (i + 1);
    m2 += delta * (present[i] - mean);
  }
  const min = n > 0 ? present[0] : NaN;
  const max = n > 0 ? present[n - 1] : NaN;
  return {
    name,
    kind: 'numeric',
    count: n,
    missing: values.length - n,
    mean: n > 0 ? mean : NaN,
    std: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN,
    min,
    q1: quantileSorted(present, 0.25),
    median: quantileSorted(present, 0.5),
    q3: quantileSorted(present, 0.75),
    max,
    histogram: histogram(present, min, max, bins),
  };
}

/** Linear interpolation between order statistics (type 7, the default of R and numpy). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function histogram(sorted: Float64Array, min: number, max: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  if (sorted.length === 0) return counts;
  const width = (max - min) / bins;
  for (const v of sorted) {
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : 0;
    counts[bin]++;
  }
  return counts;
}
