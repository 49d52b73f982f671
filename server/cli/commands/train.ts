// sigma train: a table in, a model file out, cross-validated metrics on stdout as JSON.
import { parseArgs } from 'node:util';
import { trainModel } from '../../../shared/engine/train/train.ts';
import type { ImputeStrategy, ModelChoice } from '../../../shared/schema/model-file.ts';
import { listOption, progressBar, readDataFile, requireOption, UsageError, writeTextFile } from '../io.ts';
import { nodeGpKernels } from '../gp-kernels.ts';
import { kernelWorkersFromEnv, nodeMlpKernels } from '../mlp-kernels.ts';

const MODELS = ['auto', 'nn', 'gp', 'linear'];
const IMPUTE = ['drop', 'zero', 'mean', 'median', 'iterative'];

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not "${value}"`);
  return n;
}

export async function trainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      outputs: { type: 'string' },
      inputs: { type: 'string' },
      ignore: { type: 'string' },
      categorical: { type: 'string' },
      'log-outputs': { type: 'string' },
      encoding: { type: 'string' },
      sheet: { type: 'string' },
      impute: { type: 'string' },
      model: { type: 'string' },
      folds: { type: 'string' },
      repeats: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const data = requireOption(values.data, 'data');
  const out = requireOption(values.out, 'out');
  const outputs = listOption(requireOption(values.outputs, 'outputs')) ?? [];
  if (values.model && !MODELS.includes(values.model)) throw new UsageError(`--model must be one of ${MODELS.join(', ')}`);
  if (values.impute && !IMPUTE.includes(values.impute)) throw new UsageError(`--impute must be one of ${IMPUTE.join(', ')}`);

  const started = performance.now();
  const { table } = readDataFile(data, { encoding: values.encoding, sheet: values.sheet });
  const bar = progressBar('train');
  const needsNetwork = values.model === undefined || values.model === 'auto' || values.model === 'nn';
  const needsGp = values.model === undefined || values.model === 'auto' || values.model === 'gp';
  // Both sets of worker threads start at once. A GP's cross-validation folds fit at once over one
  // thread per core (SIGMA_KERNEL_WORKERS), as a network's members train.
  const [mlpKernels, gpKernels] = await Promise.all([
    needsNetwork ? nodeMlpKernels() : undefined,
    nodeGpKernels(needsGp ? kernelWorkersFromEnv() : 1),
  ]);
  const { modelFile, report } = trainModel(
    table,
    {
      outputs,
      inputs: listOption(values.inputs),
      ignore: listOption(values.ignore),
      categorical: listOption(values.categorical),
      logOutputs: listOption(values['log-outputs']),
      impute: values.impute as ImputeStrategy | undefined,
      model: values.model as ModelChoice | undefined,
      folds: integerOption(values.folds, 'folds'),
      repeats: integerOption(values.repeats, 'repeats'),
      seed: integerOption(values.seed, 'seed'),
    },
    { onProgress: ({ fraction, stage }) => bar(fraction, stage), mlpKernels, gpKernels },
  );
  writeTextFile(out, `${JSON.stringify(modelFile)}\n`);
  const cv = Object.fromEntries(
    Object.entries(report.metrics).map(([name, m]) => [
      name,
      { r2: m.r2, rmse: m.rmse, mae: m.mae, coverage68: m.coverage68, coverage95: m.coverage95, model: m.model, ...(m.blend ? { blend: m.blend } : {}), reason: m.reason, stdRescaled: m.stdRescaled },
    ]),
  );
  const answer = {
    model: out,
    rows: report.rows.used,
    dropped: report.rows.dropped,
    imputed: report.rows.imputedCells,
    inputs: report.inputs,
    cv,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
  console.log(JSON.stringify(answer));
}
