import { describe, expect, it } from 'vitest';
import type { FitProgressDetail } from '../../../shared/engine/models/types.ts';
import { batchProgress } from './progress-batch.ts';

const fit = (epoch: number): FitProgressDetail => ({ epoch, loss: 1 / epoch, valLoss: 2 / epoch, fold: 0, folds: 5 });

describe('batchProgress', () => {
  it('sends at most one message per interval, carrying every epoch since the last', () => {
    let time = 0;
    const sent: [number, string, number[] | undefined][] = [];
    const report = batchProgress((f, s, fits) => sent.push([f, s, fits?.map((d) => d.epoch)]), 100, () => time);
    // 1,000 epochs a second for one second: about ten messages, no epoch lost.
    for (let epoch = 1; epoch <= 1000; epoch++) {
      time = epoch;
      report({ fraction: epoch / 2000, stage: 'cross-validation', fit: fit(epoch) });
    }
    expect(sent.length).toBe(10);
    expect(sent.flatMap(([, , epochs]) => epochs ?? [])).toEqual(Array.from({ length: 901 }, (_, i) => i + 1));
    // The end is sent at once, with the epochs still held.
    report({ fraction: 1, stage: 'cross-validation' });
    expect(sent.at(-1)).toEqual([1, 'cross-validation', Array.from({ length: 99 }, (_, i) => 902 + i)]);
  });

  it('sends a change of stage at once and leaves fits out when there are none', () => {
    let time = 0;
    const sent: [number, string, unknown][] = [];
    const report = batchProgress((f, s, fits) => sent.push([f, s, fits]), 100, () => time);
    report({ fraction: 0, stage: 'cross-validation' });
    time = 10;
    report({ fraction: 0.5, stage: 'cross-validation' });
    time = 20;
    report({ fraction: 0.9, stage: 'done' });
    expect(sent).toEqual([
      [0, 'cross-validation', undefined],
      [0.9, 'done', undefined],
    ]);
  });
});
