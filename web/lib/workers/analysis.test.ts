import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../shared/engine/table/read.ts';
import { trainModel } from '../../../shared/engine/train/train.ts';
import type { ModelFile } from '../../../shared/schema/model-file.ts';
import { defaultDraft, draftToSpec, mixtureEquation } from '../analysis/draft.ts';
import { designTask, explainTask, optimizeTask, suggestTask } from './analysis.ts';

const MIXTURE = ['樹脂A(wt%)', '樹脂B(wt%)', '充填剤(wt%)', '硬化剤(wt%)'];
const bytes = new Uint8Array(readFileSync('web/static/examples/resin.csv'));
let modelFile: ModelFile;

beforeAll(() => {
  const { table } = readTable(bytes);
  modelFile = trainModel(table, { outputs: ['引張強度(MPa)', '伸び(%)', 'コスト(円/kg)'], model: 'linear' }).modelFile;
});

function mixtureSpec() {
  const draft = defaultDraft(modelFile);
  draft.equations = [mixtureEquation(MIXTURE)];
  return draftToSpec(draft);
}

const sumOf = (inputs: Record<string, number | string>) => MIXTURE.reduce((total, name) => total + Number(inputs[name]), 0);

describe('task analyses in the worker', () => {
  it('optimizes strength against cost with the mixture exactly at 100', async () => {
    const result = await optimizeTask(modelFile, mixtureSpec(), { population: 24, generations: 10, seed: 1 });
    expect(result.objectives).toEqual(['引張強度(MPa)', 'コスト(円/kg)']);
    expect(result.pareto.length).toBeGreaterThan(1);
    for (const s of result.pareto) expect(Math.abs(sumOf(s.inputs) - 100)).toBeLessThan(1e-6);
    expect(result.picked).toBeGreaterThanOrEqual(0);
    // Non-dominated: no solution is both stronger and cheaper than another.
    for (const a of result.pareto) {
      for (const b of result.pareto) {
        expect(a.objectives[0] > b.objectives[0] && a.objectives[1] < b.objectives[1]).toBe(false);
      }
    }
  });

  it('explains with Sobol indices in [0, 1]-ish, a SHAP ranking and dependence curves', async () => {
    const spec = draftToSpec(defaultDraft(modelFile), { objectives: false });
    const result = await explainTask(modelFile, bytes, {}, spec, { baseSamples: 64, shapRows: 5, pair: ['充填剤(wt%)', '硬化温度(℃)'], seed: 0 });
    expect(result.outputs).toEqual(['引張強度(MPa)', '伸び(%)', 'コスト(円/kg)']);
    const strength = result.sobol['引張強度(MPa)'];
    expect(strength).toHaveLength(6);
    for (const bar of strength) expect(bar.total).toBeGreaterThanOrEqual(-0.05);
    expect(result.shap.ranking['引張強度(MPa)']).toHaveLength(6);
    const curve = result.partialDependence['引張強度(MPa)']['充填剤(wt%)'];
    expect(curve.grid).toHaveLength(20);
    // A linear model has parallel ICE curves: a band of constant width (up to the 6 digits kept).
    const widths = curve.grid.map((_, i) => curve.high[i] - curve.low[i]);
    expect(Math.max(...widths) - Math.min(...widths)).toBeLessThan(1e-3);
    expect(result.interaction?.values['引張強度(MPa)']).toHaveLength(100);
  });

  it('plans a design and suggestions whose rows keep the mixture at 100, with a sheet', async () => {
    const spec = mixtureSpec();
    const design = await designTask(spec, ['引張強度(MPa)', 'コスト(円/kg)'], { n: 8, method: 'lhs', seed: 0 });
    expect(design.runs).toHaveLength(8);
    for (const run of design.runs) expect(Math.abs(sumOf(run.inputs) - 100)).toBeLessThan(1e-6);
    const lines = design.sheet.trim().split('\r\n');
    expect(lines[0]).toBe(['run', ...design.inputs, '引張強度(MPa)', 'コスト(円/kg)'].join(','));
    expect(lines).toHaveLength(9);

    const next = await suggestTask(modelFile, bytes, {}, spec, { count: 3, acquisition: 'ei', seed: 0 });
    expect(next.runs).toHaveLength(3);
    for (const run of next.runs) {
      expect(Math.abs(sumOf(run.inputs) - 100)).toBeLessThan(1e-6);
      expect(run.reason).toBeTruthy();
    }
    expect(next.sheet.split('\r\n')[0]).toContain('伸び(%)');
  });
});
