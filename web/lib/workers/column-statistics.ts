// The import screen's statistics over the whole table: per-column summaries with their
// histograms, and the correlations of the numeric columns. Runs in the engine worker.
import { summarizeTable, type ColumnSummary } from '../../../shared/engine/table/summary.ts';
import type { Column, Table } from '../../../shared/engine/table/table.ts';

export interface Correlation {
  /** The numeric columns that vary (a constant one has no correlation). */
  readonly names: readonly string[];
  /** Pearson's r, row-major names × names; NaN where a pair has fewer than two complete rows or no spread. */
  readonly values: readonly number[];
  /** Rows with both values present, row-major like `values`. */
  readonly pairs: readonly number[];
}

export interface TableStatistics {
  readonly columns: ColumnSummary[];
  readonly correlation: Correlation;
}

export const HISTOGRAM_BINS = 16;

export function tableStatistics(table: Table): TableStatistics {
  const columns = summarizeTable(table, { bins: HISTOGRAM_BINS });
  const varying = table.columns.filter(
    (column, j): column is Extract<Column, { kind: 'numeric' }> => {
      const summary = columns[j];
      return column.kind === 'numeric' && summary.kind === 'numeric' && summary.count > 1 && summary.max > summary.min;
    },
  );
  return { columns, correlation: correlationMatrix(varying.map((c) => c.name), varying.map((c) => c.values)) };
}

/**
 * Pearson correlation of every pair over the rows where both are present (pairwise complete,
 * as R's use = "pairwise.complete.obs"). Each pair is one pass with Welford's co-moment
 * update: the textbook Σxy − n·x̄·ȳ cancels catastrophically when the means are large.
 */
export function correlationMatrix(names: readonly string[], columns: readonly Float64Array[]): Correlation {
  const k = columns.length;
  const values = new Array<number>(k * k).fill(NaN);
  const pairs = new Array<number>(k * k).fill(0);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const { r, n } = pearson(columns[a], columns[b]);
      values[a * k + b] = values[b * k + a] = a === b && n > 1 && Number.isFinite(r) ? 1 : r;
      pairs[a * k + b] = pairs[b * k + a] = n;
    }
  }
  return { names: [...names], values, pairs };
}

function pearson(x: Float64Array, y: Float64Array): { r: number; n: number } {
  let n = 0;
  let meanX = 0;
  let meanY = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (Number.isNaN(xi) || Number.isNaN(yi)) continue;
    n++;
    const dx = xi - meanX;
    meanX += dx / n;
    const dy = yi - meanY;
    meanY += dy / n;
    sxx += dx * (xi - meanX);
    syy += dy * (yi - meanY);
    sxy += dx * (yi - meanY);
  }
  const r = n > 1 && sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
  // Rounding can put |r| a hair above 1 for exactly collinear columns.
  return { r: Math.max(-1, Math.min(1, r)), n };
}
