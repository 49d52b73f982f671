// The Pareto table's rows, in a chosen order, and its CSV.
import { toCsv } from './csv.ts';
import type { OptimizeResult } from './results.ts';

export type SortKey = { column: 'index' } | { column: 'input' | 'output'; name: string };

export function sortedIndices(result: OptimizeResult, key: SortKey, descending: boolean): number[] {
  const indices = result.pareto.map((_, i) => i);
  if (key.column === 'index') return descending ? indices.reverse() : indices;
  const value = (i: number): number | string =>
    key.column === 'input' ? result.pareto[i].inputs[key.name] : (result.pareto[i].outputs[key.name] ?? NaN);
  const sign = descending ? -1 : 1;
  return indices.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * order || a - b;
  });
}

export function paretoCsv(result: OptimizeResult, order: readonly number[]): string {
  const header = ['solution', ...result.inputs, ...result.outputs.flatMap((name) => [name, `${name}_std`]), 'in_domain'];
  const rows = order.map((i) => {
    const s = result.pareto[i];
    return [i + 1, ...result.inputs.map((name) => s.inputs[name]), ...result.outputs.flatMap((name) => [s.outputs[name], s.std[name]]), s.inDomain];
  });
  return toCsv(header, rows);
}
