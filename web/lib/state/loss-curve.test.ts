import { describe, expect, it } from 'vitest';
import type { FitProgressDetail } from '../../../shared/engine/models/types.ts';
import { MAX_CURVE_POINTS, extendLossCurve } from './loss-curve.ts';

const fit = (epoch: number, fold: number, candidate = 'mlp-ensemble'): FitProgressDetail => ({ epoch, loss: epoch, valLoss: epoch + 0.5, fold, folds: 5, candidate });

describe('extendLossCurve', () => {
  it('appends the epochs of the running fit', () => {
    const first = extendLossCurve(null, [fit(1, 0), fit(2, 0)]);
    const second = extendLossCurve(first, [fit(3, 0)]);
    expect(second).toEqual({ candidate: 'mlp-ensemble', fold: 0, folds: 5, epochs: [1, 2, 3], loss: [1, 2, 3], valLoss: [1.5, 2.5, 3.5] });
    // The earlier curve is not changed.
    expect(first?.epochs).toEqual([1, 2]);
  });

  it('starts over on a new fold, a new candidate or epochs that restart', () => {
    expect(extendLossCurve(null, [fit(1, 0), fit(2, 0), fit(1, 1)])?.epochs).toEqual([1]);
    const other = extendLossCurve(null, [fit(1, 1), fit(2, 1, 'other')]);
    expect([other?.candidate, other?.epochs]).toEqual(['other', [2]]);
    const restarted = extendLossCurve(null, [{ epoch: 5, loss: 1, valLoss: 1 }, { epoch: 1, loss: 3, valLoss: 3 }]);
    expect([restarted?.fold, restarted?.candidate, restarted?.loss]).toEqual([null, null, [3]]);
  });

  it('keeps the last MAX_CURVE_POINTS epochs and nothing when no fit reported', () => {
    const long = extendLossCurve(null, Array.from({ length: MAX_CURVE_POINTS + 10 }, (_, i) => fit(i + 1, 0)));
    expect(long?.epochs.length).toBe(MAX_CURVE_POINTS);
    expect(long?.epochs[0]).toBe(11);
    expect(extendLossCurve(null, [])).toBeNull();
  });
});
