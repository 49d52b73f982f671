// Partial dependence (Friedman 2001) and individual conditional expectation curves
// (Goldstein et al. 2015): set one input to each grid value in every data row, predict, and
// average over rows (PD) or keep each row's curve (ICE). The spread of the ICE curves (a
// percentile band at each grid value) shows where the input interacts with others: an additive
// effect gives parallel curves and a band of constant width. Two-way grids do the same for a
// pair of inputs.
import type { VariableSpec } from '../optimize/problem.ts';
import { createRng } from '../optimize/rng.ts';
import { predictInChunks, type LongWorkOptions, type Model, type WorkProgress } from './model.ts';
import type { RowSet } from './shap.ts';
import { quantileSorted } from './sobol.ts';

export interface PartialDependenceOptions extends LongWorkOptions<WorkProgress> {
  /** Inputs for one-way curves (default: all). */
  readonly inputs?: readonly number[];
  /** Pairs of inputs for two-way grids (default: none). */
  readonly pairs?: readonly (readonly [number, number])[];
  /** Grid values per one-way curve (default 20) and per axis of a pair (default 10). */
  readonly gridSize?: number;
  readonly pairGridSize?: number;
  /** Variables in column order: grids follow their ranges and levels; else the data's range. */
  readonly variables?: readonly VariableSpec[];
  /** Percentiles of the ICE band (default [0.1, 0.9]). */
  readonly band?: readonly [number, number];
  /** Data rows used at most; a seeded subsample beyond (default 500). */
  readonly maxRows?: number;
  /** Rows per model call (default 65,536). */
  readonly chunkRows?: number;
}

export interface OneWayOutput {
  /** PD: the mean of the ICE curves at each grid value. */
  readonly mean: Float64Array;
  /** The ICE band's lower and upper percentile at each grid value. */
  readonly low: Float64Array;
  readonly high: Float64Array;
  /** ICE curves, rows × grid, row-major. */
  readonly ice: Float64Array;
}

export interface OneWayDependence {
  readonly input: number;
  readonly grid: Float64Array;
  /** One entry per model output. */
  readonly outputs: OneWayOutput[];
}

export interface TwoWayDependence {
  readonly inputs: readonly [number, number];
  readonly gridA: Float64Array;
  readonly gridB: Float64Array;
  /** PD per output, gridA × gridB, row-major (index a · gridB.length + b). */
  readonly outputs: Float64Array[];
}

export interface PartialDependenceResult {
  readonly oneWay: OneWayDependence[];
  readonly twoWay: TwoWayDependence[];
  /** Data rows each curve averages over. */
  readonly rows: number;
}

export async function partialDependence(model: Model, data: RowSet, options: PartialDependenceOptions = {}): Promise<PartialDependenceResult> {
  const d = data.columns.length;
  const inputs = options.inputs ?? Array.from({ length: d }, (_, i) => i);
  const pairs = options.pairs ?? [];
  for (const i of [...inputs, ...pairs.flat()]) {
    if (!Number.isInteger(i) || i < 0 || i >= d) throw new RangeError(`input ${i} is not a column of the data`);
  }
  const [bandLow, bandHigh] = options.band ?? [0.1, 0.9];
  const chunkRows = options.chunkRows ?? 65_536;
  const signal = options.signal;

  const maxRows = options.maxRows ?? 500;
  let rowIndex = Array.from({ length: data.rows }, (_, i) => i);
  if (data.rows > maxRows) {
    rowIndex = Array.from(createRng(options.seed ?? 0).shuffle(Int32Array.from(rowIndex)).subarray(0, maxRows)).sort((a, b) => a - b);
  }
  const m = rowIndex.length;
  if (m === 0) throw new RangeError('partial dependence needs at least one data row');
  const columns = data.columns.map((column) => Float64Array.from(rowIndex, (r) => column[r]));
  const gridFor = (input: number, size: number): Float64Array =>
    options.variables?.[input] !== undefined ? variableGrid(options.variables[input], size) : dataGrid(columns[input], size);

  const total = inputs.length + pairs.length;
  let done = 0;
  const step = (stage: string): void => options.onProgress?.({ fraction: ++done / total, stage });

  /** Predictions over the data with the given inputs set to each grid combination (grid-major). */
  const sweep = async (set: readonly number[], grid: readonly Float64Array[], points: number): Promise<Float64Array[]> => {
    const rows = points * m;
    const sweptColumns = columns.map((column, j) => {
      const at = set.indexOf(j);
      const out = new Float64Array(rows);
      for (let p = 0; p < points; p++) {
        if (at < 0) out.set(column, p * m);
        else out.fill(grid[at][p], p * m, (p + 1) * m);
      }
      return out;
    });
    return (await predictInChunks(model, sweptColumns, rows, chunkRows, undefined, signal)).mean;
  };

  const oneWay: OneWayDependence[] = [];
  for (const input of inputs) {
    const grid = gridFor(input, options.gridSize ?? 20);
    const g = grid.length;
    const predictions = await sweep([input], [grid], g);
    const outputs = predictions.map((values) => {
      const ice = new Float64Array(m * g);
      const mean = new Float64Array(g);
      const low = new Float64Array(g);
      const high = new Float64Array(g);
      const atPoint = new Float64Array(m);
      for (let p = 0; p < g; p++) {
        let sum = 0;
        for (let r = 0; r < m; r++) {
          const value = values[p * m + r];
          ice[r * g + p] = value;
          atPoint[r] = value;
          sum += value;
        }
        mean[p] = sum / m;
        atPoint.sort();
        low[p] = quantileSorted(atPoint, bandLow);
        high[p] = quantileSorted(atPoint, bandHigh);
      }
      return { mean, low, high, ice };
    });
    oneWay.push({ input, grid, outputs });
    step('one-way');
  }

  const twoWay: TwoWayDependence[] = [];
  for (const [a, b] of pairs) {
    const size = options.pairGridSize ?? 10;
    const gridA = gridFor(a, size);
    const gridB = gridFor(b, size);
    const points = gridA.length * gridB.length;
    const valuesA = new Float64Array(points);
    const valuesB = new Float64Array(points);
    for (let i = 0; i < gridA.length; i++) {
      for (let k = 0; k < gridB.length; k++) {
        valuesA[i * gridB.length + k] = gridA[i];
        valuesB[i * gridB.length + k] = gridB[k];
      }
    }
    const predictions = await sweep([a, b], [valuesA, valuesB], points);
    const outputs = predictions.map((values) => {
      const pd = new Float64Array(points);
      for (let p = 0; p < points; p++) {
        let sum = 0;
        for (let r = 0; r < m; r++) sum += values[p * m + r];
        pd[p] = sum / m;
      }
      return pd;
    });
    twoWay.push({ inputs: [a, b], gridA, gridB, outputs });
    step('two-way');
  }
  return { oneWay, twoWay, rows: m };
}

/** Evenly spaced values over the variable's range, or its levels when there are few. */
export function variableGrid(variable: VariableSpec, size: number): Float64Array {
  switch (variable.type) {
    case 'fixed':
      return Float64Array.of(variable.value);
    case 'categorical':
      return Float64Array.from(variable.values, (value, i) => (typeof value === 'number' ? value : i));
    case 'continuous':
      return linearGrid(variable.min, variable.max, size);
    case 'integer': {
      const lo = Math.ceil(variable.min);
      const hi = Math.floor(variable.max);
      return uniqueSorted(linearGrid(lo, hi, Math.min(size, hi - lo + 1)).map(Math.round));
    }
    case 'stepped': {
      const count = Math.floor((variable.max - variable.min) / variable.step + 1e-9);
      const indices = uniqueSorted(linearGrid(0, count, Math.min(size, count + 1)).map(Math.round));
      return indices.map((k) => Number((variable.min + k * variable.step).toPrecision(12)));
    }
  }
}

/** The column's distinct values when there are at most `size`, else an even grid over its range. */
function dataGrid(column: Float64Array, size: number): Float64Array {
  const distinct = uniqueSorted(column.filter((x) => !Number.isNaN(x)));
  if (distinct.length <= size) return distinct;
  return linearGrid(distinct[0], distinct[distinct.length - 1], size);
}

function linearGrid(lo: number, hi: number, size: number): Float64Array {
  if (size <= 1 || hi === lo) return Float64Array.of(lo);
  return Float64Array.from({ length: size }, (_, i) => (i === size - 1 ? hi : lo + ((hi - lo) * i) / (size - 1)));
}

function uniqueSorted(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  return sorted.filter((x, i) => i === 0 || x !== sorted[i - 1]);
}
