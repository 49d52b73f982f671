// Dense row-major matrices over Float64Array: the one shape every model takes and returns.

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: element (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
}

export function createMatrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError('Matrix dimensions must be non-negative integers');
  }
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols) throw new RangeError('Matrix data length does not match its shape');
  return { rows, cols, data };
}

/** Builds a matrix from nested arrays (rows of equal length); handy in tests and small inputs. */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError('All rows must have the same length');
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
}

export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * m.cols;
    out.set(m.data.subarray(from, from + m.cols), r * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

export function selectColumns(m: Matrix, columns: readonly number[]): Matrix {
  const out = new Float64Array(m.rows * columns.length);
  for (let i = 0; i < m.rows; i++) {
    for (let c = 0; c < columns.length; c++) out[i * columns.length + c] = m.data[i * m.cols + columns[c]];
  }
  return { rows: m.rows, cols: columns.length, data: out };
}

export function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
}

/** Writes `values` into column j of m (in place). */
export function setColumn(m: Matrix, j: number, values: ArrayLike<number>): void {
  for (let i = 0; i < m.rows; i++) m.data[i * m.cols + j] = values[i];
}

export function assertFinite(m: Matrix, what: string): void {
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) throw new RangeError(`${what} contains a missing or non-finite value`);
  }
}

/** A copy of x whose listed columns are standardized with the mean and population std of `rows` (a constant column is only centred). */
export function standardizeOn(x: Matrix, rows: ArrayLike<number>, columns: readonly number[]): Matrix {
  const out = createMatrix(x.rows, x.cols, x.data.slice());
  for (const c of columns) {
    let mean = 0;
    for (let k = 0; k < rows.length; k++) mean += x.data[rows[k] * x.cols + c];
    mean /= rows.length;
    let variance = 0;
    for (let k = 0; k < rows.length; k++) variance += (x.data[rows[k] * x.cols + c] - mean) ** 2;
    const std = Math.sqrt(variance / rows.length);
    const scale = std > 0 ? std : 1;
    for (let i = 0; i < x.rows; i++) out.data[i * x.cols + c] = (x.data[i * x.cols + c] - mean) / scale;
  }
  return out;
}
