// Training progress as it crosses from the engine worker to the page: at most one message per
// interval (a neural network reports every epoch, hundreds a second on small tables), carrying
// every epoch's losses since the last one so that the page's loss curve misses none. The worker
// is busy training between reports, so no timer could flush a tail: a change of stage and the
// end (fraction 1) are sent at once instead.
import type { FitProgressDetail } from '../../../shared/engine/models/types.ts';
import type { TrainProgress } from '../../../shared/engine/train/train.ts';

export type BatchedProgress = (fraction: number, stage: string, fits?: FitProgressDetail[]) => void;

export function batchProgress(send: BatchedProgress, intervalMs = 100, now: () => number = () => performance.now()): (progress: TrainProgress) => void {
  let last = -Infinity;
  let lastStage: string | null = null;
  let fits: FitProgressDetail[] = [];
  return ({ fraction, stage, fit }) => {
    if (fit) fits.push(fit);
    const time = now();
    if (time - last < intervalMs && stage === lastStage && fraction < 1) return;
    last = time;
    lastStage = stage;
    const batch = fits;
    fits = [];
    send(fraction, stage, batch.length > 0 ? batch : undefined);
  };
}
