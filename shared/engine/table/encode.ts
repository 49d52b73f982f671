// Columns → the numbers a model trains on, and back. Every transform is a plain JSON object
// (shared/schema/table-encoding.ts) kept in the model file, so prediction in another session,
// or on the server, encodes new rows exactly as training did.
import type { NumericTransform, OneHotTransform, TableEncoding } from '../../schema/table-encoding.ts';
import { requireOutputNumbers } from './checks.ts';
import { TableError } from './errors.ts';
import type { Column, Table } from './table.ts';

export interface EncodingOptions {
  /** Outputs modelled on a log scale; each must be positive wherever present. */
  readonly logOutputs?: readonly string[];
}

/** Learns the transforms of the named inputs (numeric or categorical) and outputs (numeric). */
export function fitEncoding(
  table: Table,
  inputs: readonly string[],
  outputs: readonly string[],
  { logOutputs = [] }: EncodingOptions = {},
): TableEncoding {
  for (const name of logOutputs) {
    if (!outputs.includes(name)) throw new TableError('unknown-column', `"${name}" is not an output`, { column: name });
  }
  return {
    version: 1,
    inputs: inputs.map((name) => {
      const column = findColumn(table, name);
      if (column.kind === 'numeric') return fitNumericTransform(name, column.values, false);
      if (column.kind === 'categorical') return fitOneHotTransform(name, column.values);
      throw new TableError(
        'unusable-column',
        `column ${name} is ${column.kind === 'identifier' ? 'an identifier' : 'constant'} and cannot be a model input`,
        { column: name },
      );
    }),
    outputs: outputs.map((name) => fitNumericTransform(name, requireOutputNumbers(table, name).values, logOutputs.includes(name))),
  };
}

/** Mean and population standard deviation (as scikit-learn's StandardScaler), after the log if asked. */
export function fitNumericTransform(column: string, values: ArrayLike<number>, log: boolean): NumericTransform {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) continue;
    if (log && !(x > 0)) {
      throw new TableError('non-positive', `column ${column} has values ≤ 0, so it cannot be log-transformed`, { column });
    }
    const v = log ? Math.log(x) : x;
    count++;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  if (count === 0) throw new TableError('no-numbers', `column ${column} has no numbers`, { column });
  const std = Math.sqrt(m2 / count);
  // A constant column keeps scale 1 rather than dividing by zero (StandardScaler does the same).
  return { type: 'numeric', column, log, mean, std: std > 0 ? std : 1 };
}

/** Levels in code-point order, so the encoding does not depend on row order. */
export function fitOneHotTransform(column: string, values: readonly (string | null)[]): OneHotTransform {
  const levels = [...new Set(values.filter((v): v is string => v !== null))].sort();
  if (levels.length === 0) throw new TableError('no-numbers', `column ${column} has no values`, { column });
  return { type: 'one-hot', column, levels };
}

export function applyNumericTransform(transform: NumericTransform, values: ArrayLike<number>): Float64Array {
  const { log, mean, std } = transform;
  return Float64Array.from({ length: values.length }, (_, i) => ((log ? Math.log(values[i]) : values[i]) - mean) / std);
}

export function invertNumericTransform(transform: NumericTransform, encoded: ArrayLike<number>): Float64Array {
  const { log, mean, std } = transform;
  return Float64Array.from({ length: encoded.length }, (_, i) => {
    const v = encoded[i] * std + mean;
    return log ? Math.exp(v) : v;
  });
}

/** One feature per level; a missing label gives NaN in every feature, an unseen label throws. */
export function applyOneHotTransform(transform: OneHotTransform, values: readonly (string | null)[]): Float64Array[] {
  const features = transform.levels.map(() => new Float64Array(values.length));
  const index = new Map(transform.levels.map((level, k) => [level, k]));
  values.forEach((value, i) => {
    if (value === null) {
      for (const feature of features) feature[i] = NaN;
      return;
    }
    const k = index.get(value);
    if (k === undefined) {
      throw new TableError('unknown-category', `column ${transform.column} has a label not seen in training (row ${i + 1})`, {
        column: transform.column,
      });
    }
    features[k][i] = 1;
  });
  return features;
}

/** The level with the largest feature value in each row (first level on ties). */
export function invertOneHotTransform(transform: OneHotTransform, features: readonly ArrayLike<number>[]): string[] {
  const n = features.length === 0 ? 0 : features[0].length;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let k = 1; k < features.length; k++) if (features[k][i] > features[best][i]) best = k;
    return transform.levels[best];
  });
}

export interface EncodedMatrix {
  /** rows × features, row-major. */
  readonly matrix: Float64Array;
  readonly rows: number;
  /** Feature names: the column, or `column=level` for one-hot features. */
  readonly features: readonly string[];
}

export function encodeInputs(encoding: TableEncoding, table: Table): EncodedMatrix {
  const blocks: { names: string[]; columns: Float64Array[] }[] = encoding.inputs.map((transform) => {
    const column = findColumn(table, transform.column);
    if (transform.type === 'numeric') {
      return { names: [transform.column], columns: [applyNumericTransform(transform, numericValues(column))] };
    }
    return {
      names: transform.levels.map((level) => `${transform.column}=${level}`),
      columns: applyOneHotTransform(transform, textValues(column)),
    };
  });
  return toRowMajor(blocks.flatMap((b) => b.names), blocks.flatMap((b) => b.columns), table.rowCount);
}

export function encodeOutputs(encoding: TableEncoding, table: Table): EncodedMatrix {
  const columns = encoding.outputs.map((t) => applyNumericTransform(t, numericValues(findColumn(table, t.column))));
  return toRowMajor(encoding.outputs.map((t) => t.column), columns, table.rowCount);
}

/** Model outputs (rows × outputs, row-major, encoded scale) → one array per output, original scale. */
export function decodeOutputs(encoding: TableEncoding, matrix: ArrayLike<number>, rows: number): Float64Array[] {
  const d = encoding.outputs.length;
  return encoding.outputs.map((transform, j) =>
    invertNumericTransform(transform, Float64Array.from({ length: rows }, (_, i) => matrix[i * d + j])),
  );
}

/**
 * Whether a log transform suits an output: every value positive and the sample skewness
 * (Fisher's g1) above 1, the usual mark of a strongly right-skewed distribution.
 */
export function isPositiveSkewed(values: ArrayLike<number>): boolean {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present.push(values[i]);
  if (present.length < 3 || present.some((v) => v <= 0)) return false;
  const n = present.length;
  const mean = present.reduce((s, v) => s + v, 0) / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of present) {
    m2 += (v - mean) ** 2;
    m3 += (v - mean) ** 3;
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 && m3 / m2 ** 1.5 > 1;
}

function toRowMajor(features: string[], columns: Float64Array[], rows: number): EncodedMatrix {
  const d = columns.length;
  const matrix = new Float64Array(rows * d);
  columns.forEach((column, j) => {
    for (let i = 0; i < rows; i++) matrix[i * d + j] = column[i];
  });
  return { matrix, rows, features };
}

function findColumn(table: Table, name: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) throw new TableError('unknown-column', `No column is named "${name}"`, { column: name });
  return column;
}

function numericValues(column: Column): Float64Array {
  if (column.kind !== 'numeric') {
    throw new TableError('no-numbers', `column ${column.name} is ${column.kind}, not numeric`, { column: column.name });
  }
  return column.values;
}

function textValues(column: Column): readonly (string | null)[] {
  if (column.kind === 'numeric') {
    throw new TableError('unusable-column', `column ${column.name} is numeric, not categorical`, { column: column.name });
  }
  return column.values;
}
