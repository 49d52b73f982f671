// sigma explain: which variables drive each output. Sobol indices over the variables' ranges,
// SHAP values, partial dependence (with ICE spread) and 2-D interaction grids, and permutation
// importance when a data file with the outputs is given.
import { parseArgs } from 'node:util';
import { analysisOutputs, inputConstraints, problemVariables, systemModel } from '../../../shared/engine/analysis/problem.ts';
import { createDesign } from '../../../shared/engine/design/design.ts';
import { partialDependence } from '../../../shared/engine/explain/partial-dependence.ts';
import { permutationImportance } from '../../../shared/engine/explain/permutation.ts';
import { shapValues } from '../../../shared/engine/explain/shap.ts';
import { sobolIndices } from '../../../shared/engine/explain/sobol.ts';
import { listOption, progressBar, readDataFile, UsageError } from '../io.ts';
import { completeRows, specRows } from '../spec-data.ts';
import { loadSystem, seedOption, systemOptions } from '../system-loader.ts';

export async function explainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ...systemOptions, data: { type: 'string' }, n: { type: 'string' }, pairs: { type: 'string' }, encoding: { type: 'string' } },
  });
  const started = performance.now();
  const { spec, system, models } = await loadSystem(values);
  const seed = seedOption(values.seed) ?? 0;
  const baseSamples = values.n ? Number(values.n) : 1024;
  if (!Number.isInteger(baseSamples) || baseSamples < 16) throw new UsageError('--n must be a whole number of at least 16');
  const variables = problemVariables(spec);
  const free = variables.filter((v) => v.type !== 'fixed');
  const outputs = analysisOutputs(spec, system);
  const model = systemModel(system, variables, outputs);
  const bar = progressBar('explain');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const signal = controller.signal;

  bar(0, 'sobol');
  const sobol = await sobolIndices(model, variables, { baseSamples, seed, signal, onProgress: (p) => bar(p.fraction * 0.4, 'sobol') });

  // Rows to explain: the data file's, or a space-filling design that honours the input constraints.
  const data = values.data ? completeRows(specRows(readDataFile(values.data, { encoding: values.encoding }).table, variables, outputs), []) : null;
  const { kept } = inputConstraints(spec);
  const rows = data ?? (await createDesign({ variables, constraints: kept }, 200, { seed, signal }));
  const rowSet = { columns: rows.columns, rows: rows.rows };
  bar(0.4, 'shap');
  const shap = await shapValues(model, { columns: rowSet.columns, rows: Math.min(rowSet.rows, 100) }, rowSet, {
    names: variables.map((v) => v.name),
    seed,
    signal,
    onProgress: (p) => bar(0.4 + p.fraction * 0.3, 'shap'),
  });
  const pairs = (listOption(values.pairs) ?? []).map((pair) => {
    const [a, b] = pair.split(':').map((name) => variables.findIndex((v) => v.name === name.trim()));
    if (a === undefined || b === undefined || a < 0 || b < 0) throw new UsageError(`--pairs: "${pair}" must be two variable names joined by a colon`);
    return [a, b] as [number, number];
  });
  const freeIndices = variables.map((v, j) => (v.type === 'fixed' ? -1 : j)).filter((j) => j >= 0);
  bar(0.7, 'partial dependence');
  const pd = await partialDependence(model, rowSet, {
    inputs: freeIndices,
    pairs,
    variables,
    seed,
    signal,
    onProgress: (p) => bar(0.7 + p.fraction * 0.2, 'partial dependence'),
  });

  let permutation = null;
  const withTargets = data ? completeRows(data, outputs) : null;
  if (withTargets && withTargets.rows >= 5 && outputs.every((name) => name in withTargets.outputs)) {
    permutation = await permutationImportance(
      [{ predict: model, columns: withTargets.columns, targets: outputs.map((name) => withTargets.outputs[name]) }],
      { names: variables.map((v) => v.name), seed, signal },
    );
  }
  bar(1, 'done');

  const round = (x: number) => Number(x.toPrecision(6));
  const answer = {
    outputs,
    variables: free.map((v) => v.name),
    sobol: Object.fromEntries(
      outputs.map((name, o) => [
        name,
        sobol.indices[o]
          .filter((_, j) => variables[j].type !== 'fixed')
          .map((x) => ({ variable: x.variable, first: round(x.first), firstInterval: x.firstInterval.map(round), total: round(x.total), totalInterval: x.totalInterval.map(round) })),
      ]),
    ),
    shap: {
      method: shap.method,
      rows: Math.min(rowSet.rows, 100),
      baseline: Object.fromEntries(outputs.map((name, o) => [name, round(shap.baseline[o])])),
      ranking: Object.fromEntries(outputs.map((name, o) => [name, shap.ranking[o].map((r) => ({ variable: r.name, meanAbs: round(r.meanAbs) }))])),
      /** values[output][variable][row] for the rows explained. */
      values: Object.fromEntries(
        outputs.map((name, o) => [name, Object.fromEntries(free.map((v) => [v.name, Array.from(shap.values[o][variables.indexOf(v)], round)]))]),
      ),
    },
    // Permutation importance on each model's cross-validation folds, recorded when it was trained.
    permutationFolds: Object.fromEntries(
      models.flatMap(({ model }) =>
        Object.entries(model.file.metrics)
          .filter(([name, m]) => outputs.includes(name) && m.permutation)
          .map(([name, m]) => [name, m.permutation]),
      ),
    ),
    partialDependence: Object.fromEntries(
      outputs.map((name, o) => [
        name,
        Object.fromEntries(
          pd.oneWay.map((curve) => [
            variables[curve.input].name,
            { grid: Array.from(curve.grid, round), mean: Array.from(curve.outputs[o].mean, round), low: Array.from(curve.outputs[o].low, round), high: Array.from(curve.outputs[o].high, round) },
          ]),
        ),
      ]),
    ),
    interactions: pd.twoWay.map((grid) => ({
      variables: grid.inputs.map((j) => variables[j].name),
      gridA: Array.from(grid.gridA, round),
      gridB: Array.from(grid.gridB, round),
      values: Object.fromEntries(outputs.map((name, o) => [name, Array.from(grid.outputs[o], round)])),
    })),
    permutation: permutation
      ? Object.fromEntries(
          outputs.map((name, o) => [name, { baselineR2: round(permutation.baseline[o]), ranking: permutation.ranking[o].map((x) => ({ variable: x.name, importance: round(x.importance), std: round(x.std) })) }]),
        )
      : null,
    rowsExplained: data ? 'data' : 'design',
    evaluations: sobol.evaluations + shap.evaluations,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
  console.log(JSON.stringify(answer));
}
