// The data behind each chart as CSV: what the chart's table shows, in full precision.
import { toCsv } from './csv.ts';
import type { DependenceCurve, SobolBar } from './results.ts';

export function predictedActualCsv(actual: readonly number[], predicted: readonly number[], std: readonly number[]): string {
  return toCsv(['row', 'actual', 'predicted', 'std'], actual.map((a, i) => [i + 1, a, predicted[i], std[i]]));
}

export function pointsCsv(points: readonly (readonly [number, number])[], xName: string, yName: string): string {
  return toCsv(['solution', xName, yName], points.map((p, i) => [i + 1, p[0], p[1]]));
}

export function sobolCsv(bars: readonly SobolBar[]): string {
  return toCsv(
    ['input', 'first', 'first_low', 'first_high', 'total', 'total_low', 'total_high'],
    bars.map((b) => [b.variable, b.first, ...b.firstInterval, b.total, ...b.totalInterval]),
  );
}

export function rankingCsv(items: readonly { variable: string; value: number }[], valueName: string): string {
  return toCsv(['input', valueName], items.map((item) => [item.variable, item.value]));
}

export function dependenceCsv(curve: DependenceCurve, xName: string): string {
  return toCsv([xName, 'mean', 'low', 'high'], curve.grid.map((g, i) => [g, curve.mean[i], curve.low[i], curve.high[i]]));
}

/** One row per cell: values[i * gridB.length + j] at (a[i], b[j]). */
export function gridCsv(a: readonly (number | string)[], b: readonly (number | string)[], values: readonly number[], aName: string, bName: string): string {
  return toCsv([aName, bName, 'value'], a.flatMap((x, i) => b.map((y, j) => [x, y, values[i * b.length + j]])));
}

export function lossCsv(epochs: readonly number[], loss: readonly number[], valLoss: readonly number[]): string {
  return toCsv(['epoch', 'loss', 'held_out_loss'], epochs.map((e, i) => [e, loss[i], valLoss[i]]));
}

export function residualsCsv(actual: readonly number[], predicted: readonly number[]): string {
  return toCsv(['row', 'actual', 'predicted', 'residual'], actual.map((a, i) => [i + 1, a, predicted[i], a - predicted[i]]));
}

export function parallelCsv(axes: readonly string[], rows: readonly (readonly number[])[]): string {
  return toCsv(['solution', ...axes], rows.map((row, i) => [i + 1, ...row]));
}
