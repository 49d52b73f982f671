// sigma optimize: the Pareto set of recipes for a spec over trained models and formulas.
import { parseArgs } from 'node:util';
import { problemSpec, systemEvaluator } from '../../../shared/engine/analysis/problem.ts';
import { hypervolume } from '../../../shared/engine/optimize/hypervolume.ts';
import { kneeSolution, optimize, pickSolution, queryPareto, type Solution } from '../../../shared/engine/optimize/optimize.ts';
import { progressBar, UsageError } from '../io.ts';
import { loadSystem, seedOption, systemOptions } from '../system-loader.ts';

export async function optimizeCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...systemOptions, population: { type: 'string' }, generations: { type: 'string' } } });
  const started = performance.now();
  const { spec, system } = await loadSystem(values);
  const problem = problemSpec(spec, system);
  const { evaluator, outsideDomain } = systemEvaluator(system, problem.variables);
  const bar = progressBar('optimize');
  const population = values.population ? Number(values.population) : spec.algorithm.population;
  const generations = values.generations ? Number(values.generations) : spec.algorithm.generations;
  if (!Number.isInteger(population) || population < 8) throw new UsageError('--population must be a whole number of at least 8');
  if (!Number.isInteger(generations) || generations < 1) throw new UsageError('--generations must be a whole number of at least 1');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await optimize(problem, evaluator, {
    algorithm: spec.algorithm.name,
    populationSize: population,
    generations,
    seed: seedOption(values.seed) ?? spec.algorithm.seed ?? 0,
    signal: controller.signal,
    onProgress: (p) => bar(p.generation / p.generations, `generation ${p.generation}`),
  });

  // Each solution's applicability flag, from one more evaluation of the final set.
  const flags = result.solutions.length > 0 ? domainFlags(result.solutions, problem.variables.map((v) => v.name), system) : [];
  const describe = (s: Solution | null) => (s ? { inputs: s.inputs, outputs: s.outputs, std: s.outputStd, objectives: s.objectives } : null);
  let volume: number | null = null;
  if (spec.reference && result.solutions.length > 0) {
    if (spec.reference.length !== spec.objectives.length) throw new UsageError('reference must have one value per objective');
    const m = spec.objectives.length;
    // Scores are minimised: max goals are negated, target and range goals are distances.
    const scores = Float64Array.from(result.solutions.flatMap((s) => s.scores));
    const reference = spec.objectives.map((o, j) => (o.goal === 'max' ? -spec.reference![j] : spec.reference![j]));
    volume = hypervolume(scores, m, reference);
  }
  const answer = {
    algorithm: result.algorithm,
    objectives: result.objectiveNames,
    pareto: result.solutions.map((s, i) => ({ ...describe(s), inDomain: flags[i] })),
    hypervolume: volume,
    picked: describe(pickSolution(result, problem)),
    knee: describe(kneeSolution(result)),
    query: spec.query
      ? describe(
          queryPareto(result, {
            name: spec.query.output,
            sense: spec.query.goal,
            where: spec.query.where.map((w) => ({ name: w.output, atLeast: w.atLeast, atMost: w.atMost })),
          }),
        )
      : undefined,
    obstacle: result.obstacle,
    constraints: result.constraints,
    evaluations: result.evaluations,
    evaluationsOutsideDomain: outsideDomain(),
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
  console.log(JSON.stringify(answer));
}

function domainFlags(solutions: readonly Solution[], names: readonly string[], system: Awaited<ReturnType<typeof loadSystem>>['system']): boolean[] {
  const n = solutions.length;
  const columns = Object.fromEntries(
    names.map((name) => {
      const values = solutions.map((s) => s.inputs[name]);
      return [name, typeof values[0] === 'string' ? values.map(String) : Float64Array.from(values as number[])];
    }),
  );
  return system.evaluate(columns, n).inDomain;
}
