// The live loss curve of a neural-network training: the epochs of the fit running now (one
// cross-validation fold of one candidate). A new fold or candidate starts a new curve.
import type { FitProgressDetail } from '../../../shared/engine/models/types.ts';

export interface LossCurve {
  readonly candidate: string | null;
  readonly fold: number | null;
  readonly folds: number | null;
  readonly epochs: readonly number[];
  readonly loss: readonly number[];
  readonly valLoss: readonly number[];
}

/** Most epochs kept per curve: enough for any training, bounded for a long one. */
export const MAX_CURVE_POINTS = 2000;

export function extendLossCurve(curve: LossCurve | null, fits: readonly FitProgressDetail[]): LossCurve | null {
  let current = curve;
  let epochs: number[] = curve ? [...curve.epochs] : [];
  let loss: number[] = curve ? [...curve.loss] : [];
  let valLoss: number[] = curve ? [...curve.valLoss] : [];
  for (const fit of fits) {
    const candidate = fit.candidate ?? null;
    const fold = fit.fold ?? null;
    const lastEpoch = epochs.length > 0 ? epochs[epochs.length - 1] : -Infinity;
    // A new fit starts when the fold or candidate changes, or its epochs start over.
    if (!current || current.candidate !== candidate || current.fold !== fold || fit.epoch <= lastEpoch) {
      current = { candidate, fold, folds: fit.folds ?? null, epochs: [], loss: [], valLoss: [] };
      epochs = [];
      loss = [];
      valLoss = [];
    }
    epochs.push(fit.epoch);
    loss.push(fit.loss);
    valLoss.push(fit.valLoss);
  }
  if (!current) return null;
  const from = Math.max(0, epochs.length - MAX_CURVE_POINTS);
  return { ...current, epochs: epochs.slice(from), loss: loss.slice(from), valLoss: valLoss.slice(from) };
}
