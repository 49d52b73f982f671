// The experiment sheet as an XLSX workbook: the same columns as the CSV sheet (run, the inputs
// filled in, the outputs blank for the lab), with numbers stored as numbers. The screen imports
// this module on demand: the spreadsheet library is large and only this button needs it.
import { utils, write } from '@e965/xlsx';
import type { NextExperimentsResult } from './results.ts';

export function experimentSheetXlsx(plan: Pick<NextExperimentsResult, 'inputs' | 'outputs' | 'runs'>): Uint8Array<ArrayBuffer> {
  const header = ['run', ...plan.inputs, ...plan.outputs];
  const rows = plan.runs.map((run, i) => [i + 1, ...plan.inputs.map((name) => run.inputs[name] ?? null), ...plan.outputs.map(() => null)]);
  const book = utils.book_new();
  utils.book_append_sheet(book, utils.aoa_to_sheet([header, ...rows]), 'experiments');
  return new Uint8Array(write(book, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
}
