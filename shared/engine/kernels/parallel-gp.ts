// Several Gaussian-process fits at once: the calling thread fits some and each peer worker (a
// worker_thread in Node) fits others with its own instance of the same GP kernels. A fit is a pure
// function of its rows, options and seed, and every worker runs the same kernels build, so a fit
// on a peer gives the very model the calling thread would have fitted: the peer sends it back as
// its JSON state (doubles survive JSON exactly) and the caller rebuilds the predictor from it.
//
// Cross-validation is the user: a GP candidate's folds are independent fits of O(n³) each, and
// the rest of the engine is synchronous, so the calling thread posts the peers' fits, does its
// own, then blocks on Atomics.wait until each peer has set the request's shared "done" word (as the
// network's peers do, parallel-mlp.ts). Each request has its own control words, since one peer
// may finish several requests before the caller reads the first answer.
import { type GpKernels, type GpOptions, type GpPredictor, type GpState, fitGp, gpFromJSON } from '../models/gp.ts';
import { createMatrix } from '../models/matrix.ts';
import type { FitJob, ManyFitOptions } from '../models/types.ts';

const CONTROL_DONE = 0; // 1 once the peer has answered
const CONTROL_STATUS = 1; // STATUS_*
const CONTROL_LENGTH = 2; // bytes of JSON (or of the error message) in the request's buffer
const CONTROL_WORDS = 3;
const STATUS_OK = 0;
const STATUS_FAILED = 1;
/** The state did not fit in the buffer: the caller fits that job itself. */
const STATUS_TOO_LARGE = 2;

/** How long the calling thread waits for one fit before it gives up on the peer. */
const ANSWER_TIMEOUT_MS = 30 * 60_000;

export interface GpPeerRequest {
  readonly op: 'fit';
  /** Shared words: done, status, answer length. */
  readonly control: Int32Array;
  readonly x: Float64Array;
  readonly rows: number;
  readonly inputs: number;
  readonly y: Float64Array;
  readonly outputs: number;
  readonly options: GpOptions;
  readonly seed: number;
  /** Shared bytes the answer (JSON state, or the error message) is written to. */
  readonly out: Uint8Array;
}

/** The calling thread's end of one peer worker. */
export interface GpPeerLink {
  post(request: GpPeerRequest): void;
  close(): void;
}

/** Fits several GPs at once over this thread and the peers. */
export interface GpFitPool {
  /** Threads that fit at once: this one and the peers. */
  readonly workers: number;
  /**
   * The models fitGp(job.x, job.y, options, { seed: job.seed }, kernels) gives, in job order.
   * Progress is the share of jobs done; the signal is checked between jobs.
   */
  fitMany(
    jobs: readonly FitJob[],
    options: GpOptions,
    kernels: GpKernels,
    fitOptions?: ManyFitOptions,
  ): GpPredictor[];
  close(): void;
}

/** A generous bound on the JSON of a GP state: 32 bytes a number, and room for the rest. */
function answerBytes(rows: number, inputs: number, outputs: number): number {
  return 32 * (rows * inputs + outputs * (rows + inputs + 8)) + 4096;
}

export interface GpFitPoolOptions {
  /** Bytes of the buffer a peer writes a state into (default: a generous bound from the sizes); tests make it small. */
  readonly answerBytes?: (rows: number, inputs: number, outputs: number) => number;
}

export function createGpFitPool(links: readonly GpPeerLink[], poolOptions: GpFitPoolOptions = {}): GpFitPool {
  const peers = [...links];
  const bytesFor = poolOptions.answerBytes ?? answerBytes;
  const decoder = new TextDecoder();
  return {
    workers: peers.length + 1,
    fitMany(jobs, options, kernels, fitOptions = {}) {
      const { signal, onProgress } = fitOptions;
      signal?.throwIfAborted();
      const threads = peers.length + 1;
      // Job j goes to thread j mod threads; thread 0 is this one.
      const posted = jobs.map((job, j) => {
        const thread = j % threads;
        if (thread === 0) return null;
        const out = new Uint8Array(new SharedArrayBuffer(bytesFor(job.x.rows, job.x.cols, job.y.cols)));
        const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
        peers[thread - 1].post({
          op: 'fit',
          control,
          x: Float64Array.from(job.x.data),
          rows: job.x.rows,
          inputs: job.x.cols,
          y: Float64Array.from(job.y.data),
          outputs: job.y.cols,
          options,
          seed: job.seed ?? 0,
          out,
        });
        return { control, out };
      });
      const models = new Array<GpPredictor>(jobs.length);
      let finished = 0;
      const step = () => onProgress?.(++finished / jobs.length);
      const local = (j: number) => fitGp(jobs[j].x, jobs[j].y, options, { seed: jobs[j].seed, signal }, kernels);
      for (let j = 0; j < jobs.length; j++) {
        if (posted[j] !== null) continue;
        models[j] = local(j);
        step();
      }
      let failure: Error | null = null;
      for (let j = 0; j < jobs.length; j++) {
        const answer = posted[j];
        if (answer === null) continue;
        const { control, out } = answer;
        // After a failure the other answers are still awaited: the peers are busy until then anyway.
        while (Atomics.load(control, CONTROL_DONE) === 0) {
          if (Atomics.wait(control, CONTROL_DONE, 0, ANSWER_TIMEOUT_MS) === 'timed-out') {
            throw new Error('A Gaussian-process worker did not answer');
          }
        }
        const status = Atomics.load(control, CONTROL_STATUS);
        const length = Atomics.load(control, CONTROL_LENGTH);
        // TextDecoder does not read shared memory: copy the bytes out first.
        const text = decoder.decode(out.slice(0, length));
        if (failure) continue;
        if (status === STATUS_OK) {
          models[j] = gpFromJSON(JSON.parse(text) as GpState, kernels);
        } else if (status === STATUS_TOO_LARGE) {
          models[j] = local(j);
        } else {
          failure = new RangeError(text || 'Gaussian-process fit failed in a worker');
          continue;
        }
        step();
      }
      if (failure) throw failure;
      return models;
    },
    close() {
      for (const link of peers) link.close();
    },
  };
}

/** The peer's side: answers fit requests with its own kernels. */
export function createGpPeer(kernels: GpKernels): { handle(request: GpPeerRequest): void } {
  const encoder = new TextEncoder();
  return {
    handle(request) {
      const { control } = request;
      let status = STATUS_OK;
      let bytes: Uint8Array;
      try {
        const x = createMatrix(request.rows, request.inputs, request.x);
        const y = createMatrix(request.rows, request.outputs, request.y);
        bytes = encoder.encode(JSON.stringify(fitGp(x, y, request.options, { seed: request.seed }, kernels).toJSON()));
        if (bytes.length > request.out.length) {
          status = STATUS_TOO_LARGE;
          bytes = new Uint8Array(0);
        }
      } catch (error) {
        status = STATUS_FAILED;
        bytes = encoder.encode((error instanceof Error ? error.message : String(error)).slice(0, 2000)).subarray(0, request.out.length);
      }
      request.out.set(bytes);
      Atomics.store(control, CONTROL_STATUS, status);
      Atomics.store(control, CONTROL_LENGTH, bytes.length);
      Atomics.store(control, CONTROL_DONE, 1);
      Atomics.notify(control, CONTROL_DONE);
    },
  };
}
