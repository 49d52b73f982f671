import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../../schema/model-file.ts';
import { readTable } from '../table/read.ts';
import { createTable, type Column, type Table } from '../table/table.ts';
import { loadModel, predictTable } from './predict.ts';
import { trainModel } from './train.ts';

const fixedNow = () => new Date('2026-01-01T00:00:00Z');

/** y = 2a − 3b + 1 (exact) and z = exp(0.5 a) (positive, skewed), with a categorical c. */
function linearTable(rows: number): Table {
  const a = Float64Array.from({ length: rows }, (_, i) => (i * 7) % 13);
  const b = Float64Array.from({ length: rows }, (_, i) => (i * 5) % 11);
  return createTable([
    { name: 'id', kind: 'identifier', values: Array.from({ length: rows }, (_, i) => `S-${i}`) },
    { name: 'a', kind: 'numeric', values: a },
    { name: 'b', kind: 'numeric', values: b },
    { name: 'y', kind: 'numeric', values: a.map((ai, i) => 2 * ai - 3 * b[i] + 1) },
    { name: 'z', kind: 'numeric', values: a.map((ai) => Math.exp(0.5 * ai)) },
  ]);
}

describe('trainModel', () => {
  it('recovers a linear function with the linear model, and predicts it at new points', () => {
    const { modelFile, report } = trainModel(linearTable(40), { outputs: ['y'], ignore: ['z'], model: 'linear', seed: 3 }, { now: fixedNow });
    expect(report.inputs).toEqual(['a', 'b']);
    expect(report.metrics.y.r2).toBeGreaterThan(0.999999);
    expect(report.metrics.y.rmse).toBeLessThan(1e-3);
    // y = 2a − 3b + 1: shuffling either input on the held-out folds costs R².
    const permutation = report.metrics.y.permutation!;
    expect(permutation.map((p) => p.input).sort()).toEqual(['a', 'b']);
    expect(permutation.every((p) => p.importance > 0.3)).toBe(true);
    expect(modelFile.metrics.y.model).toBe('ridge');
    const model = loadModel(JSON.parse(JSON.stringify(modelFile)));
    const query = createTable([
      { name: 'a', kind: 'numeric', values: Float64Array.from([7.2, 100]) },
      { name: 'b', kind: 'numeric', values: Float64Array.from([5.1, -50]) },
    ]);
    const prediction = predictTable(model, query);
    expect(prediction.outputs[0].mean[0]).toBeCloseTo(2 * 7.2 - 3 * 5.1 + 1, 3);
    // Next to training row 1 (a = 7, b = 5), then far outside the data.
    expect(prediction.inDomain).toEqual([true, false]);
    expect(prediction.distanceRatio[1]).toBeGreaterThan(10);
  });

  it('models a log output and returns positive predictions in original units', () => {
    const { modelFile, report } = trainModel(linearTable(40), { outputs: ['z'], inputs: ['a'], logOutputs: ['z'], model: 'linear' });
    expect(modelFile.encoding.outputs[0].log).toBe(true);
    // ln z = 0.5 a is linear: the log model is exact.
    expect(report.metrics.z.r2).toBeGreaterThan(0.9999);
    const prediction = predictTable(loadModel(modelFile), createTable([{ name: 'a', kind: 'numeric', values: Float64Array.from([6]) }]));
    expect(prediction.outputs[0].mean[0]).toBeCloseTo(Math.exp(3), 2);
  });

  it('reports rows dropped for a missing output and cells imputed for missing inputs', () => {
    const base = linearTable(30);
    const columns = base.columns.map((c): Column => {
      if (c.kind !== 'numeric') return c;
      if (c.name === 'y') return { ...c, values: c.values.map((v, i) => (i === 4 || i === 9 ? NaN : v)) };
      if (c.name === 'a') return { ...c, values: c.values.map((v, i) => (i === 2 ? NaN : v)) };
      return c;
    });
    const { report, modelFile } = trainModel(createTable(columns), { outputs: ['y'], ignore: ['z'], model: 'linear', impute: 'mean' });
    expect(report.missingOutputRows).toEqual([4, 9]);
    expect(report.rows).toEqual({ total: 30, used: 28, dropped: 2, imputedCells: 1 });
    expect(modelFile.rows).toEqual({ used: 28, dropped: 2, imputedCells: 1 });
  });

  it('says clearly what is wrong with the request', () => {
    const table = linearTable(20);
    expect(() => trainModel(table, { outputs: ['nope'] })).toThrow(/No column is named "nope"/);
    expect(() => trainModel(table, { outputs: ['y'], inputs: ['id'] })).toThrow(/identifier and cannot be a model input/);
    expect(() => trainModel(linearTable(2), { outputs: ['y'], model: 'linear' })).toThrow(/needs at least 3 rows; the table has 2/);
  });

  it('trains on the Shift_JIS resin table by its Japanese column names', () => {
    const { table } = readTable(new Uint8Array(readFileSync(new URL('../../../../shared/data/resin_sjis.csv', import.meta.url))));
    const { report } = trainModel(table, { outputs: ['引張強度(MPa)'], ignore: ['伸び(%)', 'コスト(円/kg)'], model: 'linear' });
    expect(report.inputs).toEqual(['樹脂A(wt%)', '樹脂B(wt%)', '充填剤(wt%)', '硬化剤(wt%)', '硬化温度(℃)', '硬化時間(min)']);
    expect(report.rows.total).toBe(60);
    expect(report.missingOutputRows).toHaveLength(1);
    expect(report.metrics['引張強度(MPa)'].r2).toBeGreaterThan(0.5);
  });
});

describe('loadModel', () => {
  it('refuses a file from a newer version and a damaged file with clear messages', () => {
    const { modelFile } = trainModel(linearTable(20), { outputs: ['y'], model: 'linear' });
    expect(() => loadModel({ ...modelFile, version: 99 })).toThrow(/version 99, made by a newer Sigma/);
    expect(() => loadModel({ ...modelFile, domain: { ...modelFile.domain, min: 'x' } })).toThrow(ModelFileError);
    expect(() => loadModel({ ...modelFile, domain: { ...modelFile.domain, min: 'x' } })).toThrow(/damaged at domain.min/);
    expect(() => loadModel({ hello: 1 })).toThrow(/not a Sigma model file/);
  });
});
