// Owns the engine worker. Every call takes an AbortSignal first; aborting terminates
// the worker (the only way to stop wasm mid-run) and the next call starts a fresh one.
// An idle worker is shut down to give its memory back.
import { wrap, type Remote } from 'comlink';
import type { EngineApi } from './engine-api.ts';

type Method = keyof EngineApi;
type Result<M extends Method> = Awaited<ReturnType<EngineApi[M]>>;

export interface EngineBridgeOptions {
  /** Milliseconds without calls after which the worker is terminated; 0 keeps it. */
  readonly idleMs?: number;
  /** Runs once on each new worker before its first call (e.g. choosing the compute backend). */
  readonly start?: (remote: Remote<EngineApi>) => Promise<unknown>;
}

export class EngineBridge {
  readonly #createWorker: () => Worker;
  readonly #idleMs: number;
  readonly #start: EngineBridgeOptions['start'];
  #startUp: Promise<unknown> = Promise.resolve();
  #worker: Worker | undefined;
  #remote: Remote<EngineApi> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pending = new Set<(reason: unknown) => void>();
  #started = 0;

  constructor(createWorker: () => Worker, { idleMs = 5 * 60_000, start }: EngineBridgeOptions = {}) {
    this.#createWorker = createWorker;
    this.#idleMs = idleMs;
    this.#start = start;
  }

  /** How many workers this bridge has started (a new one after each abort or idle stop). */
  get workersStarted(): number {
    return this.#started;
  }

  get running(): boolean {
    return this.#worker !== undefined;
  }

  async call<M extends Method>(signal: AbortSignal | undefined, method: M, ...args: Parameters<EngineApi[M]>): Promise<Result<M>> {
    signal?.throwIfAborted();
    const remote = this.#ensureWorker();
    clearTimeout(this.#idleTimer);
    return new Promise<Result<M>>((resolve, reject) => {
      const settle = () => {
        this.#pending.delete(reject);
        signal?.removeEventListener('abort', onAbort);
        if (this.#pending.size === 0) this.#scheduleIdleStop();
      };
      const onAbort = () => {
        settle();
        reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
        this.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.add(reject);
      const fn = remote[method] as unknown as (...a: Parameters<EngineApi[M]>) => Promise<Result<M>>;
      this.#startUp.then(() => fn(...args)).then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  /** Stops the worker at once; calls still running reject with an AbortError. */
  terminate(): void {
    clearTimeout(this.#idleTimer);
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#remote = undefined;
    const rejecters = [...this.#pending];
    this.#pending.clear();
    for (const reject of rejecters) reject(new DOMException('The engine worker was stopped', 'AbortError'));
  }

  #ensureWorker(): Remote<EngineApi> {
    if (!this.#remote) {
      this.#worker = this.#createWorker();
      this.#remote = wrap<EngineApi>(this.#worker);
      this.#started++;
      // A failed start-up step leaves the worker on its defaults; the call itself still runs.
      this.#startUp = this.#start ? this.#start(this.#remote).catch(() => undefined) : Promise.resolve();
    }
    return this.#remote;
  }

  #scheduleIdleStop(): void {
    if (this.#idleMs <= 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#pending.size === 0) this.terminate();
    }, this.#idleMs);
  }
}
