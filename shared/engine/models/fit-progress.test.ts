// Epoch losses travel from the ensemble's fit through cross-validation (which adds the fold) and
// auto (which adds the candidate) to training's progress, beside the fraction done.
import { describe, expect, it } from 'vitest';
import { startCrossValidation } from '../validate/cross-validate.ts';
import { fitAuto } from './auto.ts';
import { ensembleFactory } from './ensemble/ensemble.ts';
import { createMatrix } from './matrix.ts';
import { ridgeFactory } from './ridge.ts';
import type { FitProgressDetail, ModelFactory } from './types.ts';

function line(rows: number): { x: ReturnType<typeof createMatrix>; y: ReturnType<typeof createMatrix> } {
  const x = createMatrix(rows, 1, Float64Array.from({ length: rows }, (_, i) => i / rows));
  const y = createMatrix(rows, 1, Float64Array.from({ length: rows }, (_, i) => 2 * (i / rows) + 0.1 * Math.sin(i)));
  return { x, y };
}

/** Ridge that also reports two made-up epochs per fit, as the ensemble would. */
const epochsRidge: ModelFactory = {
  name: 'epochs',
  fit: (x, y, options = {}) => {
    options.onProgress?.(0.5, { epoch: 1, loss: 2, valLoss: 3 });
    options.onProgress?.(1, { epoch: 2, loss: 1, valLoss: 1.5 });
    return ridgeFactory().fit(x, y, options);
  },
};

describe('fit progress detail', () => {
  it('the ensemble factory reports each epoch with its mean losses', () => {
    const { x, y } = line(24);
    const seen: [number, FitProgressDetail | undefined][] = [];
    ensembleFactory({ members: 2, maxEpochs: 4, patience: 10 }).fit(x, y, { seed: 1, onProgress: (f, d) => seen.push([f, d]) });
    const epochs = seen.filter(([, d]) => d).map(([, d]) => d!);
    expect(epochs.map((d) => d.epoch)).toEqual([1, 2, 3, 4]);
    for (const d of epochs) expect(Number.isFinite(d.loss) && Number.isFinite(d.valLoss) && d.loss > 0).toBe(true);
    // The closing report is a bare fraction, as before.
    expect(seen.at(-1)).toEqual([1, undefined]);
  });

  it('cross-validation adds the fold and keeps the fraction over all folds', () => {
    const { x, y } = line(40);
    const seen: [number, FitProgressDetail | undefined][] = [];
    const run = startCrossValidation(epochsRidge, x, y, { folds: 4, seed: 0, onProgress: (f, d) => seen.push([f, d]) });
    run.runFold(0);
    run.runFold(1);
    expect(seen.filter(([, d]) => d)).toEqual([
      [0.125, { epoch: 1, loss: 2, valLoss: 3, fold: 0, folds: 4 }],
      [0.25, { epoch: 2, loss: 1, valLoss: 1.5, fold: 0, folds: 4 }],
      [0.375, { epoch: 1, loss: 2, valLoss: 3, fold: 1, folds: 4 }],
      [0.5, { epoch: 2, loss: 1, valLoss: 1.5, fold: 1, folds: 4 }],
    ]);
  });

  it('auto adds the candidate', () => {
    const { x, y } = line(40);
    const details: FitProgressDetail[] = [];
    fitAuto(x, y, { candidates: [ridgeFactory(), epochsRidge], folds: 2, seed: 0, onProgress: (_f, d) => d && details.push(d) });
    // Two folds of the candidate that reports epochs; the final refit reports nothing.
    expect(details).toHaveLength(4);
    expect(details.every((d) => d.candidate === 'epochs')).toBe(true);
    expect(details.map((d) => d.fold)).toEqual([0, 0, 1, 1]);
  });
});
