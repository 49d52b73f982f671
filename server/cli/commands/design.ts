// sigma design: a space-filling plan of N experiments that honours every input constraint,
// printed as JSON and written as an experiment sheet with blank output columns.
import { parseArgs } from 'node:util';
import { inputConstraints, problemVariables } from '../../../shared/engine/analysis/problem.ts';
import { createDesign } from '../../../shared/engine/design/design.ts';
import { experimentSheetCsv } from '../../../shared/engine/design/experiment-sheet.ts';
import { parseAnalysisSpec } from '../../../shared/schema/analysis-spec.ts';
import { progressBar, readJsonFile, requireOption, UsageError, writeTextFile } from '../io.ts';
import { seedOption } from '../system-loader.ts';

export async function designCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { spec: { type: 'string' }, n: { type: 'string' }, method: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  const started = performance.now();
  const spec = parseAnalysisSpec(readJsonFile(requireOption(values.spec, 'spec')));
  const n = Number(values.n ?? 10);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError('--n must be a whole number from 1 to 100000');
  const method = values.method ?? 'lhs';
  if (method !== 'lhs' && method !== 'sobol') throw new UsageError('--method must be lhs or sobol');
  const variables = problemVariables(spec);
  const { kept, skipped } = inputConstraints(spec);
  const bar = progressBar('design');
  const design = await createDesign({ variables, constraints: kept }, n, {
    method,
    seed: seedOption(values.seed) ?? 0,
    onProgress: (p) => bar(p.fraction, p.stage),
  });
  const outputs = [...new Set([...spec.objectives.map((o) => o.output), ...Object.keys(spec.outputs)])];
  if (values.out) writeTextFile(values.out, experimentSheetCsv(variables, design.columns, design.rows, outputs));
  const rows = Array.from({ length: design.rows }, (_, i) =>
    Object.fromEntries(
      variables.map((v, j) => [v.name, v.type === 'categorical' && v.values.some((x) => typeof x === 'string') ? v.values[design.columns[j][i]] : design.columns[j][i]]),
    ),
  );
  console.log(
    JSON.stringify({
      method,
      rows,
      minDistance: design.minDistance,
      feasibleFraction: design.feasibleFraction,
      constraintsSkipped: skipped,
      sheet: values.out ?? null,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    }),
  );
}
