// Batch prediction of a whole table, laid out as `sigma predict` writes it: the model's input
// columns, then `<output>` and `<output>_std` per output, then `in_domain`.
import type { LoadedModel, TablePrediction } from '../../../shared/engine/train/predict.ts';
import type { Table } from '../../../shared/engine/table/table.ts';
import { toCsv, type Cell } from '../analysis/csv.ts';

export interface BatchPrediction {
  readonly header: string[];
  /** The first rows, as the page shows them. */
  readonly preview: Cell[][];
  readonly rows: number;
  /** Every row as CSV (with a byte order mark, like every CSV the app writes). */
  readonly csv: string;
}

function cell(value: number | string | null): Cell {
  return typeof value === 'number' && Number.isNaN(value) ? null : value;
}

export function batchPredictionTable(model: LoadedModel, table: Table, prediction: TablePrediction, previewRows = 10): BatchPrediction {
  const inputColumns = model.inputs.map((name) => table.columns.find((c) => c.name === name)!);
  const header = [...model.inputs, ...prediction.outputs.flatMap((o) => [o.name, `${o.name}_std`]), 'in_domain'];
  const rows = Array.from({ length: prediction.rows }, (_, i): Cell[] => [
    ...inputColumns.map((c) => cell(c.values[i])),
    ...prediction.outputs.flatMap((o) => [cell(o.mean[i]), cell(o.std[i])]),
    prediction.inDomain[i],
  ]);
  return { header, preview: rows.slice(0, previewRows), rows: rows.length, csv: toCsv(header, rows) };
}
