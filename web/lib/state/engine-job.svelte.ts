// One long analysis on a screen (factors, optimization, next experiments): its progress, its
// cancel button and its error, around a call to the analysis engine with an AbortSignal.
import { proxy } from 'comlink';
import { handleError } from '../errors.ts';

export type ReportProgress = (fraction: number, stage: string) => void;

export class EngineJob {
  running = $state(false);
  fraction = $state(0);
  stage = $state('');
  error = $state<string | null>(null);
  #controller: AbortController | null = null;

  /** Runs `work` with a signal and a progress callback the worker can call; null when cancelled or failed. */
  async run<T>(work: (signal: AbortSignal, onProgress: ReportProgress) => Promise<T>, failure: string): Promise<T | null> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.running = true;
    this.fraction = 0;
    this.stage = '';
    this.error = null;
    const onProgress = proxy((fraction: number, stage: string) => {
      if (this.#controller !== controller) return;
      this.fraction = fraction;
      this.stage = stage;
    });
    try {
      return await work(controller.signal, onProgress);
    } catch (error) {
      if (this.#controller === controller) this.error = handleError(error, failure);
      return null;
    } finally {
      if (this.#controller === controller) {
        this.running = false;
        this.#controller = null;
      }
    }
  }

  cancel(): void {
    this.#controller?.abort();
  }
}
