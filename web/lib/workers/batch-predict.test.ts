import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../../shared/engine/table/read.ts';
import { loadModel, predictTable } from '../../../shared/engine/train/predict.ts';
import { trainModel } from '../../../shared/engine/train/train.ts';
import { batchPredictionTable } from './batch-predict.ts';

describe('batchPredictionTable', () => {
  it('lays the prediction out as sigma predict does, for every row', () => {
    const { table } = readTable(new Uint8Array(readFileSync('web/static/examples/resin.csv')));
    const { modelFile } = trainModel(table, { outputs: ['引張強度(MPa)', 'コスト(円/kg)'], model: 'linear' });
    const model = loadModel(modelFile);
    const prediction = predictTable(model, table);
    const batch = batchPredictionTable(model, table, prediction, 3);
    expect(batch.header).toEqual([...model.inputs, '引張強度(MPa)', '引張強度(MPa)_std', 'コスト(円/kg)', 'コスト(円/kg)_std', 'in_domain']);
    expect(batch.rows).toBe(table.rowCount);
    expect(batch.preview).toHaveLength(3);
    const first = batch.preview[0];
    const input = table.columns.find((c) => c.name === model.inputs[0])!;
    expect(first[0]).toBe(input.values[0]);
    expect(first[model.inputs.length]).toBe(prediction.outputs[0].mean[0]);
    expect(first[model.inputs.length + 1]).toBe(prediction.outputs[0].std[0]);
    expect(first.at(-1)).toBe(prediction.inDomain[0]);
    const lines = batch.csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(table.rowCount + 1);
    expect(lines[0]).toBe(batch.header.join(','));
    expect(lines[1].split(',').at(-1)).toBe(String(prediction.inDomain[0]));
  });
});
