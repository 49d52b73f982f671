// Reads --spec and repeated --model options into a spec and a system of models and formulas.
import { createSystem, type NamedModel, type System } from '../../shared/engine/analysis/system.ts';
import { loadModel } from '../../shared/engine/train/predict.ts';
import { nodeModelKernels } from './mlp-kernels.ts';
import { parseAnalysisSpec, type AnalysisSpec } from '../../shared/schema/analysis-spec.ts';
import { readJsonFile, requireOption, UsageError } from './io.ts';

export const systemOptions = {
  spec: { type: 'string' },
  model: { type: 'string', multiple: true },
  seed: { type: 'string' },
} as const;

export function seedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, not "${value}"`);
  return seed;
}

/** Reads the spec and the models; neural-network models predict on our wasm kernels on every core. */
export async function loadSystem(values: { spec?: string; model?: string[] }): Promise<{ spec: AnalysisSpec; system: System; models: NamedModel[] }> {
  const spec = parseAnalysisSpec(readJsonFile(requireOption(values.spec, 'spec')));
  const files = (values.model ?? []).map((label) => ({ label, json: readJsonFile(label) }));
  const kernels = await nodeModelKernels(files.map(({ json }) => json));
  const models = files.map(({ label, json }) => ({ label, model: loadModel(json, kernels) }));
  const provided = [...Object.keys(spec.variables), ...Object.keys(spec.fixed)];
  const system = createSystem(models, { ...spec.expressions, ...spec.outputs }, provided);
  return { spec, system, models };
}
