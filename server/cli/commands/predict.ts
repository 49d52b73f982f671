// sigma predict: a model file and a table in, predictions with std and a domain flag out (CSV).
import { parseArgs } from 'node:util';
import { loadModel, predictTable } from '../../../shared/engine/train/predict.ts';
import { nodeModelKernels } from '../mlp-kernels.ts';
import { readDataFile, readJsonFile, requireOption, toCsv, writeTextFile } from '../io.ts';

function cell(value: number | string | null): string {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  return String(value);
}

export async function predictCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      encoding: { type: 'string' },
      sheet: { type: 'string' },
    },
  });
  const json = readJsonFile(requireOption(values.model, 'model'));
  const model = loadModel(json, await nodeModelKernels([json]));
  const { table } = readDataFile(requireOption(values.data, 'data'), { encoding: values.encoding, sheet: values.sheet });
  const prediction = predictTable(model, table);
  const inputColumns = model.inputs.map((name) => table.columns.find((c) => c.name === name)!);
  const header = [...model.inputs, ...prediction.outputs.flatMap((o) => [o.name, `${o.name}_std`]), 'in_domain'];
  const rows = Array.from({ length: prediction.rows }, (_, i) => [
    ...inputColumns.map((c) => cell(c.values[i])),
    ...prediction.outputs.flatMap((o) => [cell(o.mean[i]), cell(o.std[i])]),
    String(prediction.inDomain[i]),
  ]);
  const csv = toCsv(header, rows);
  if (values.out) writeTextFile(values.out, csv);
  else process.stdout.write(csv);
}
