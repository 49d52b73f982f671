// sigma suggest: the next batch of experiments from trained models, balancing expected gain
// and uncertainty, diverse within the batch, honouring the input constraints.
import { parseArgs } from 'node:util';
import { inputConstraints, outputBounds, problemVariables, systemModel } from '../../../shared/engine/analysis/problem.ts';
import { experimentSheetCsv } from '../../../shared/engine/design/experiment-sheet.ts';
import { parseConstraint } from '../../../shared/engine/optimize/expression.ts';
import { suggest } from '../../../shared/engine/design/suggest.ts';
import { progressBar, readDataFile, requireOption, UsageError, writeTextFile } from '../io.ts';
import { completeRows, specRows } from '../spec-data.ts';
import { loadSystem, seedOption, systemOptions } from '../system-loader.ts';

export async function suggestCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...systemOptions,
      data: { type: 'string' },
      encoding: { type: 'string' },
      count: { type: 'string' },
      acquisition: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const started = performance.now();
  const { spec, system } = await loadSystem(values);
  const objectives = spec.objectives.map((o) => {
    if (o.goal !== 'min' && o.goal !== 'max') throw new UsageError(`suggest handles min and max goals; "${o.output}" has ${o.goal}`);
    return o;
  });
  if (objectives.length === 0) throw new UsageError('The spec needs at least one objective to suggest experiments for');
  const { kept, skipped: onOutputs } = inputConstraints(spec);
  const { bounds, unused } = outputBounds(onOutputs, system.outputs);
  // The model is asked for the objectives' outputs, then those that bounds limit.
  const outputs = [...new Set([...objectives.map((o) => o.output), ...bounds.map((b) => b.output)])];
  const objectiveOutputs = objectives.map((o) => o.output);
  const count = Number(values.count ?? 4);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new UsageError('--count must be a whole number from 1 to 1000');
  const acquisition = values.acquisition ?? 'ei';
  if (acquisition !== 'ei' && acquisition !== 'ucb') throw new UsageError('--acquisition must be ei or ucb');
  const variables = problemVariables(spec);
  const { table } = readDataFile(requireOption(values.data, 'data'), { encoding: values.encoding });
  const observed = completeRows(specRows(table, variables, objectiveOutputs), objectiveOutputs);
  if (observed.rows === 0) throw new UsageError('The data file has no complete row with every objective output');
  const bar = progressBar('suggest');
  // Other constraints on outputs ("strength / cost >= 0.5") are kept on the predicted means.
  // Equalities on predictions cannot be met by a finite set of candidates: they are reported.
  const general = unused.filter((source) => parseConstraint(source).op !== '==');
  const skipped = unused.filter((source) => parseConstraint(source).op === '==');
  const result = await suggest(
    systemModel(system, variables, outputs, general),
    {
      variables,
      constraints: kept,
      objectives: objectives.map((o, j) => ({ output: j, goal: o.goal as 'min' | 'max' })),
      outputLimits: [
        ...bounds.map((b) => ({ output: outputs.indexOf(b.output), min: b.min, max: b.max })),
        ...general.map((_, k) => ({ output: outputs.length + k, max: 0 })),
      ],
    },
    {
      columns: observed.columns,
      // Observed values of the bounded outputs are not needed: only objectives are compared with the data.
      outputs: [...outputs, ...general].map((name) => observed.outputs[name] ?? new Float64Array(observed.rows).fill(Number.NaN)),
      rows: observed.rows,
    },
    { count, acquisition, seed: seedOption(values.seed) ?? 0, onProgress: (p) => bar(p.fraction, p.stage) },
  );
  const proposals = result.proposals.map((p) => ({
    inputs: p.inputs,
    predicted: Object.fromEntries(outputs.map((name, j) => [name, p.predicted[j]])),
    std: Object.fromEntries(outputs.map((name, j) => [name, p.std[j]])),
    acquisition: p.acquisition,
    reason: p.reason,
  }));
  if (values.out) {
    const columns = variables.map((_, j) => Float64Array.from(result.proposals, (p) => p.values[j]));
    writeTextFile(values.out, experimentSheetCsv(variables, columns, result.proposals.length, objectiveOutputs));
  }
  console.log(
    JSON.stringify({
      acquisition,
      proposals,
      observedRows: observed.rows,
      outputBounds: bounds,
      constraintsOnPredictions: general,
      constraintsSkipped: skipped,
      evaluations: result.evaluations,
      sheet: values.out ?? null,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    }),
  );
}
