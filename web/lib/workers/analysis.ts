// Explanation, optimization and next experiments for a trained task, the way the command line
// drives the engine (server/cli/commands/{explain,optimize,design,suggest}.ts), over the task's
// model file and its table. Runs in the engine worker; results are plain data.
import { analysisOutputs, inputConstraints, problemSpec, problemVariables, systemEvaluator, systemModel } from '../../../shared/engine/analysis/problem.ts';
import { createSystem, type System } from '../../../shared/engine/analysis/system.ts';
import { createDesign } from '../../../shared/engine/design/design.ts';
import { experimentSheetCsv } from '../../../shared/engine/design/experiment-sheet.ts';
import { suggest } from '../../../shared/engine/design/suggest.ts';
import { partialDependence } from '../../../shared/engine/explain/partial-dependence.ts';
import { shapValues } from '../../../shared/engine/explain/shap.ts';
import { sobolIndices } from '../../../shared/engine/explain/sobol.ts';
import { kneeSolution, optimize, pickSolution, type Solution } from '../../../shared/engine/optimize/optimize.ts';
import type { VariableSpec } from '../../../shared/engine/optimize/problem.ts';
import { readTable, type ReadTableOptions } from '../../../shared/engine/table/read.ts';
import { loadModel } from '../../../shared/engine/train/predict.ts';
import type { ModelKernels } from '../../../shared/engine/models/registry.ts';
import { parseAnalysisSpec, type AnalysisSpec, type AnalysisSpecInput } from '../../../shared/schema/analysis-spec.ts';
import type { ModelFile } from '../../../shared/schema/model-file.ts';
import type {
  DesignOptions,
  ExplainOptions,
  ExplainResult,
  NextExperimentsResult,
  OptimizeOptions,
  OptimizeResult,
  PlannedRun,
  SuggestOptions,
} from '../analysis/results.ts';
import { observedRows } from './observed-rows.ts';

export type Progress = (fraction: number, stage: string) => void;

function taskSystem(modelFile: ModelFile, specInput: AnalysisSpecInput, kernels: ModelKernels): { spec: AnalysisSpec; system: System } {
  const spec = parseAnalysisSpec(specInput);
  const provided = [...Object.keys(spec.variables), ...Object.keys(spec.fixed)];
  const system = createSystem([{ label: 'model', model: loadModel(modelFile, kernels) }], { ...spec.expressions, ...spec.outputs }, provided);
  return { spec, system };
}

const round = (x: number) => Number(x.toPrecision(6));
const seconds = (started: number) => Number(((performance.now() - started) / 1000).toFixed(3));

/** The value a user reads for a variable's model column (text categories as text). */
function displayValue(variable: VariableSpec, value: number): number | string {
  return variable.type === 'categorical' && variable.values.some((x) => typeof x === 'string') ? String(variable.values[value]) : value;
}

export async function explainTask(
  modelFile: ModelFile,
  bytes: Uint8Array,
  readOptions: ReadTableOptions,
  specInput: AnalysisSpecInput,
  options: ExplainOptions,
  onProgress: Progress = () => {},
  kernels: ModelKernels = {},
): Promise<ExplainResult> {
  const started = performance.now();
  const { spec, system } = taskSystem(modelFile, specInput, kernels);
  const variables = problemVariables(spec);
  const outputs = analysisOutputs(spec, system);
  const model = systemModel(system, variables, outputs);
  const seed = options.seed;

  onProgress(0, 'sobol');
  const sobol = await sobolIndices(model, variables, { baseSamples: options.baseSamples, seed, onProgress: (p) => onProgress(p.fraction * 0.4, 'sobol') });

  // The task's own measured rows: they keep whatever holds in the data (a mixture at 100 %).
  const data = observedRows(readTable(bytes, readOptions).table, variables, []);
  if (data.rows === 0) throw new RangeError('The data has no complete row of the inputs');
  const shapRows = Math.max(1, Math.min(options.shapRows, data.rows));
  onProgress(0.4, 'shap');
  const shap = await shapValues(model, { columns: data.columns, rows: shapRows }, data, {
    names: variables.map((v) => v.name),
    seed,
    onProgress: (p) => onProgress(0.4 + p.fraction * 0.35, 'shap'),
  });

  const indexOf = (name: string) => variables.findIndex((v) => v.name === name);
  const pair = options.pair ? ([indexOf(options.pair[0]), indexOf(options.pair[1])] as [number, number]) : null;
  if (pair && (pair[0] < 0 || pair[1] < 0 || pair[0] === pair[1])) throw new RangeError('The interaction needs two different variables that vary');
  const free = variables.flatMap((v, j) => (v.type === 'fixed' ? [] : [j]));
  onProgress(0.75, 'partial dependence');
  const pd = await partialDependence(model, data, {
    inputs: free,
    pairs: pair ? [pair] : [],
    variables,
    seed,
    onProgress: (p) => onProgress(0.75 + p.fraction * 0.25, 'partial dependence'),
  });
  onProgress(1, 'done');

  const interaction = pd.twoWay[0];
  return {
    outputs,
    variables: free.map((j) => variables[j].name),
    sobol: Object.fromEntries(
      outputs.map((name, o) => [
        name,
        sobol.indices[o]
          .filter((_, j) => variables[j].type !== 'fixed')
          .map((x) => ({
            variable: x.variable,
            first: round(x.first),
            firstInterval: [round(x.firstInterval[0]), round(x.firstInterval[1])] as [number, number],
            total: round(x.total),
            totalInterval: [round(x.totalInterval[0]), round(x.totalInterval[1])] as [number, number],
          })),
      ]),
    ),
    shap: {
      method: shap.method,
      rows: shapRows,
      ranking: Object.fromEntries(outputs.map((name, o) => [name, shap.ranking[o].map((r) => ({ variable: r.name, meanAbs: round(r.meanAbs) }))])),
    },
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
    interaction: interaction
      ? {
          variables: [variables[interaction.inputs[0]].name, variables[interaction.inputs[1]].name],
          gridA: Array.from(interaction.gridA, round),
          gridB: Array.from(interaction.gridB, round),
          values: Object.fromEntries(outputs.map((name, o) => [name, Array.from(interaction.outputs[o], round)])),
        }
      : null,
    rowsExplained: shapRows,
    evaluations: sobol.evaluations + shap.evaluations,
    seconds: seconds(started),
  };
}

export async function optimizeTask(
  modelFile: ModelFile,
  specInput: AnalysisSpecInput,
  options: OptimizeOptions,
  onProgress: Progress = () => {},
  kernels: ModelKernels = {},
): Promise<OptimizeResult> {
  const started = performance.now();
  const { spec, system } = taskSystem(modelFile, specInput, kernels);
  const problem = problemSpec(spec, system);
  const { evaluator, outsideDomain } = systemEvaluator(system, problem.variables);
  const result = await optimize(problem, evaluator, {
    algorithm: spec.algorithm.name,
    populationSize: options.population,
    generations: options.generations,
    seed: options.seed,
    onProgress: (p) => onProgress(p.generation / p.generations, `generation ${p.generation}`),
  });
  const names = problem.variables.map((v) => v.name);
  // Each solution's applicability flag, from one more evaluation of the final set.
  let inDomain: boolean[] = [];
  if (result.solutions.length > 0) {
    const columns = Object.fromEntries(
      names.map((name) => {
        const values = result.solutions.map((s) => s.inputs[name]);
        return [name, typeof values[0] === 'string' ? values.map(String) : Float64Array.from(values as number[])];
      }),
    );
    inDomain = system.evaluate(columns, result.solutions.length).inDomain;
  }
  const indexOf = (s: Solution | null) => (s ? result.solutions.indexOf(s) : -1);
  return {
    algorithm: result.algorithm,
    objectives: [...result.objectiveNames],
    goals: spec.objectives.map((o) => o.goal),
    inputs: names,
    outputs: [...system.outputs],
    pareto: result.solutions.map((s, i) => ({
      inputs: { ...s.inputs },
      outputs: { ...s.outputs },
      std: { ...s.outputStd },
      objectives: [...s.objectives],
      inDomain: inDomain[i] ?? false,
    })),
    picked: indexOf(pickSolution(result, problem)),
    knee: indexOf(kneeSolution(result)),
    obstacle: result.obstacle ? { ...result.obstacle } : null,
    constraints: result.constraints.map((c) => ({ constraint: c.constraint, handling: c.handling, violationRate: c.violationRate })),
    evaluations: result.evaluations,
    evaluationsOutsideDomain: outsideDomain(),
    seconds: seconds(started),
  };
}

function planRows(variables: readonly VariableSpec[], columns: readonly ArrayLike<number>[], rows: number): Record<string, number | string>[] {
  return Array.from({ length: rows }, (_, i) => Object.fromEntries(variables.map((v, j) => [v.name, displayValue(v, columns[j][i])])));
}

export async function designTask(
  specInput: AnalysisSpecInput,
  outputs: readonly string[],
  options: DesignOptions,
  onProgress: Progress = () => {},
): Promise<NextExperimentsResult> {
  const started = performance.now();
  const spec = parseAnalysisSpec(specInput);
  const variables = problemVariables(spec);
  const { kept, skipped } = inputConstraints(spec);
  const design = await createDesign({ variables, constraints: kept }, options.n, {
    method: options.method,
    seed: options.seed,
    onProgress: (p) => onProgress(p.fraction, p.stage),
  });
  return {
    kind: 'design',
    inputs: variables.map((v) => v.name),
    outputs: [...outputs],
    runs: planRows(variables, design.columns, design.rows).map((inputs) => ({ inputs })),
    sheet: experimentSheetCsv(variables, design.columns, design.rows, outputs),
    constraintsSkipped: skipped,
    minDistance: design.minDistance,
    feasibleFraction: design.feasibleFraction,
    seconds: seconds(started),
  };
}

export async function suggestTask(
  modelFile: ModelFile,
  bytes: Uint8Array,
  readOptions: ReadTableOptions,
  specInput: AnalysisSpecInput,
  options: SuggestOptions,
  onProgress: Progress = () => {},
  kernels: ModelKernels = {},
): Promise<NextExperimentsResult> {
  const started = performance.now();
  const { spec, system } = taskSystem(modelFile, specInput, kernels);
  const objectives = spec.objectives.map((o) => {
    if (o.goal !== 'min' && o.goal !== 'max') throw new RangeError(`Suggestions handle min and max goals; "${o.output}" has ${o.goal}`);
    return { output: o.output, goal: o.goal };
  });
  if (objectives.length === 0) throw new RangeError('Suggestions need at least one objective');
  const outputs = objectives.map((o) => o.output);
  const variables = problemVariables(spec);
  const observed = observedRows(readTable(bytes, readOptions).table, variables, outputs);
  if (observed.rows === 0) throw new RangeError('The data has no complete row with every objective output');
  const { kept, skipped } = inputConstraints(spec);
  const result = await suggest(
    systemModel(system, variables, outputs),
    { variables, constraints: kept, objectives: objectives.map((o, j) => ({ output: j, goal: o.goal })) },
    { columns: observed.columns, outputs: observed.outputs, rows: observed.rows },
    { count: options.count, acquisition: options.acquisition, seed: options.seed, onProgress: (p) => onProgress(p.fraction, p.stage) },
  );
  const columns = variables.map((_, j) => Float64Array.from(result.proposals, (p) => p.values[j]));
  const sheetOutputs = [...new Set([...outputs, ...system.outputs.filter((name) => modelFile.encoding.outputs.some((o) => o.column === name))])];
  const runs: PlannedRun[] = result.proposals.map((p) => ({
    inputs: { ...p.inputs },
    predicted: Object.fromEntries(outputs.map((name, j) => [name, p.predicted[j]])),
    std: Object.fromEntries(outputs.map((name, j) => [name, p.std[j]])),
    reason: p.reason,
  }));
  return {
    kind: 'suggest',
    inputs: variables.map((v) => v.name),
    outputs: sheetOutputs,
    runs,
    sheet: experimentSheetCsv(variables, columns, result.proposals.length, sheetOutputs),
    constraintsSkipped: skipped,
    observedRows: observed.rows,
    seconds: seconds(started),
  };
}
