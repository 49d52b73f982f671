// Missing-value handling before training: drop incomplete rows, or fill the gaps with zero,
// the mean, the median, or iterative multivariate imputation (van Buuren's MICE with the
// posterior mean instead of draws, as scikit-learn's IterativeImputer does by default).
// Pure: returns a new table and a report; the input is not modified.
import { fitBayesianRidge } from './bayesian-ridge.ts';
import { TableError } from './errors.ts';
import { quantileSorted } from './summary.ts';
import { createTable, type Column, type NumericColumn, type Table } from './table.ts';

export type MissingStrategy = 'drop' | 'zero' | 'mean' | 'median' | 'iterative';

export interface MissingOptions {
  readonly strategy: MissingStrategy;
  /** Iterative only: rounds over all incomplete columns at most (sklearn's max_iter). */
  readonly maxIterations?: number;
  /**
   * Iterative only: stop when no row's imputed values moved, in sum, by more than
   * tolerance × (largest observed |value|) in a round (sklearn's tol and stopping rule).
   */
  readonly tolerance?: number;
}

export type FillMethod = 'drop' | 'zero' | 'mean' | 'median' | 'mode' | 'iterative' | 'none';

export interface MissingColumnReport {
  readonly name: string;
  /** Missing cells before handling. */
  readonly missing: number;
  /** Cells filled in. */
  readonly imputed: number;
  readonly method: FillMethod;
  /** The value written into every gap (zero, mean, median, mode); null for drop and iterative. */
  readonly fill: number | string | null;
  readonly reason: string;
}

export interface MissingReport {
  readonly strategy: MissingStrategy;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  /** Indices (0-based, in the input table) of the rows removed. */
  readonly droppedRows: readonly number[];
  readonly columns: readonly MissingColumnReport[];
  /** Iterative only: rounds run, and whether the tolerance was reached; null otherwise. */
  readonly iterations: number | null;
  readonly converged: boolean | null;
}

export interface MissingResult {
  readonly table: Table;
  readonly report: MissingReport;
}

/** Handles the missing cells of the named columns; other columns pass through (rows dropped alike). */
export function handleMissing(table: Table, columnNames: readonly string[], options: MissingOptions): MissingResult {
  const selected = columnNames.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (column === undefined) throw new TableError('unknown-column', `No column is named "${name}"`, { column: name });
    return column;
  });
  return options.strategy === 'drop' ? dropRows(table, selected) : fillGaps(table, selected, options);
}

function isMissingAt(column: Column, row: number): boolean {
  return column.kind === 'numeric' ? Number.isNaN(column.values[row]) : column.values[row] === null;
}

function countMissing(column: Column): number {
  let count = 0;
  for (let i = 0; i < column.values.length; i++) if (isMissingAt(column, i)) count++;
  return count;
}

function dropRows(table: Table, selected: readonly Column[]): MissingResult {
  const keep: number[] = [];
  const droppedRows: number[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    if (selected.some((column) => isMissingAt(column, i))) droppedRows.push(i);
    else keep.push(i);
  }
  const columns = table.columns.map((column): Column =>
    column.kind === 'numeric'
      ? { ...column, values: Float64Array.from(keep, (i) => column.values[i]) }
      : { ...column, values: keep.map((i) => column.values[i]) },
  );
  return {
    table: createTable(columns),
    report: {
      strategy: 'drop',
      rowsBefore: table.rowCount,
      rowsAfter: keep.length,
      droppedRows,
      columns: selected.map((column) => {
        const missing = countMissing(column);
        return {
          name: column.name,
          missing,
          imputed: 0,
          method: missing > 0 ? 'drop' : 'none',
          fill: null,
          reason: missing > 0 ? `${missing} rows with this cell missing were dropped` : 'no missing cells',
        };
      }),
      iterations: null,
      converged: null,
    },
  };
}

function fillGaps(table: Table, selected: readonly Column[], options: MissingOptions): MissingResult {
  const { strategy } = options;
  const replaced = new Map<string, Column>();
  const reports = new Map<string, MissingColumnReport>();
  const numeric = selected.filter((c): c is NumericColumn => c.kind === 'numeric');
  let iterations: number | null = null;
  let converged: boolean | null = null;

  for (const column of selected) {
    const missing = countMissing(column);
    if (missing === 0) {
      reports.set(column.name, { name: column.name, missing, imputed: 0, method: 'none', fill: null, reason: 'no missing cells' });
      continue;
    }
    if (missing === column.values.length) {
      throw new TableError('no-numbers', `Column ${column.name} has no values to impute from`, { column: column.name });
    }
    if (column.kind === 'numeric') continue;
    if (column.kind !== 'categorical') {
      reports.set(column.name, {
        name: column.name,
        missing,
        imputed: 0,
        method: 'none',
        fill: null,
        reason: `${column.kind} columns are not imputed; ${missing} cells stay missing`,
      });
      continue;
    }
    const mode = mostFrequent(column.values);
    replaced.set(column.name, { ...column, values: column.values.map((v) => v ?? mode) });
    reports.set(column.name, {
      name: column.name,
      missing,
      imputed: missing,
      method: 'mode',
      fill: mode,
      reason: 'a categorical column is filled with its most frequent label',
    });
  }

  const incomplete = numeric.filter((c) => countMissing(c) > 0);
  if (strategy === 'iterative' && incomplete.length > 0) {
    const result = imputeIteratively(numeric.map((c) => c.values), table.rowCount, options);
    iterations = result.iterations;
    converged = result.converged;
    numeric.forEach((column, j) => {
      const missing = countMissing(column);
      if (missing === 0) return;
      replaced.set(column.name, { ...column, values: result.columns[j] });
      reports.set(column.name, {
        name: column.name,
        missing,
        imputed: missing,
        method: numeric.length > 1 ? 'iterative' : 'mean',
        fill: null,
        reason:
          numeric.length > 1
            ? `predicted by Bayesian ridge regression on ${numeric.length - 1} other columns`
            : 'no other numeric column to regress on, so the mean',
      });
    });
  } else {
    for (const column of incomplete) {
      const fill = strategy === 'zero' ? 0 : strategy === 'median' ? median(column.values) : mean(column.values);
      const missing = countMissing(column);
      replaced.set(column.name, { ...column, values: column.values.map((v) => (Number.isNaN(v) ? fill : v)) });
      reports.set(column.name, {
        name: column.name,
        missing,
        imputed: missing,
        method: strategy === 'iterative' ? 'mean' : strategy,
        fill,
        reason: `filled with the column's ${strategy === 'zero' ? 'zero' : strategy}`,
      });
    }
  }

  return {
    table: createTable(table.columns.map((column) => replaced.get(column.name) ?? column)),
    report: {
      strategy,
      rowsBefore: table.rowCount,
      rowsAfter: table.rowCount,
      droppedRows: [],
      columns: selected.map((column) => reports.get(column.name) as MissingColumnReport),
      iterations,
      converged,
    },
  };
}

function mean(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return sum / count;
}

function median(values: Float64Array): number {
  return quantileSorted(values.filter((v) => !Number.isNaN(v)).sort(), 0.5);
}

/** Ties go to the label seen first, so the result does not depend on hashing order. */
function mostFrequent(values: readonly (string | null)[]): string {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export interface IterativeImputation {
  readonly columns: Float64Array[];
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Each incomplete column, fewest gaps first, is regressed on all the others (gaps first filled
 * with column means) and its gaps replaced by the predictions; rounds repeat until the largest
 * row-wise L1 change falls below tolerance × max |observed|, as in sklearn's IterativeImputer
 * with its defaults (BayesianRidge, imputation_order='ascending', sample_posterior=False).
 */
export function imputeIteratively(
  columns: readonly Float64Array[],
  rowCount: number,
  { maxIterations = 10, tolerance = 1e-3 }: { readonly maxIterations?: number; readonly tolerance?: number } = {},
): IterativeImputation {
  const p = columns.length;
  const n = rowCount;
  const filled = columns.map((c) => Float64Array.from(c));
  const missingRows = columns.map((c) => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (Number.isNaN(c[i])) rows.push(i);
    return rows;
  });
  let largest = 0;
  columns.forEach((c, j) => {
    const fill = mean(c);
    for (const i of missingRows[j]) filled[j][i] = fill;
    for (const v of c) if (!Number.isNaN(v)) largest = Math.max(largest, Math.abs(v));
  });
  const order = [...Array(p).keys()]
    .filter((j) => missingRows[j].length > 0)
    .sort((a, b) => missingRows[a].length - missingRows[b].length || a - b);
  if (order.length === 0 || maxIterations === 0) return { columns: filled, iterations: 0, converged: true };

  const threshold = tolerance * largest;
  let previous = filled.map((c) => Float64Array.from(c));
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    for (const target of order) {
      const predictors = [...Array(p).keys()].filter((j) => j !== target);
      const gaps = new Set(missingRows[target]);
      const trainRows: number[] = [];
      for (let i = 0; i < n; i++) if (!gaps.has(i)) trainRows.push(i);
      const q = predictors.length;
      const x = new Float64Array(trainRows.length * q);
      const y = new Float64Array(trainRows.length);
      trainRows.forEach((i, r) => {
        y[r] = filled[target][i];
        predictors.forEach((j, k) => (x[r * q + k] = filled[j][i]));
      });
      const fit = fitBayesianRidge(x, trainRows.length, q, y);
      for (const i of missingRows[target]) {
        let prediction = fit.intercept;
        predictors.forEach((j, k) => (prediction += fit.coef[k] * filled[j][i]));
        filled[target][i] = prediction;
      }
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      let rowChange = 0;
      for (let j = 0; j < p; j++) rowChange += Math.abs(filled[j][i] - previous[j][i]);
      change = Math.max(change, rowChange);
    }
    if (change < threshold || change === 0) return { columns: filled, iterations: iteration, converged: true };
    previous = filled.map((c) => Float64Array.from(c));
  }
  return { columns: filled, iterations: maxIterations, converged: false };
}
