// The main thread's side of the chart worker: one worker for every chart, started with the first
// one; each chart gets an id and its replies by callback.
import type { ChartSpec } from './chart-options.ts';
import type { ChartRequest, ChartResponse } from './chart-messages.ts';

type Listener = (response: ChartResponse) => void;

let worker: Worker | null = null;
let nextId = 1;
const listeners = new Map<number, Listener>();

function send(request: ChartRequest, transfer: Transferable[] = []): void {
  if (!worker) {
    worker = new Worker(new URL('./chart.worker.ts', import.meta.url), { type: 'module', name: 'sigma-charts' });
    worker.onmessage = (event: MessageEvent<ChartResponse>) => listeners.get(event.data.id)?.(event.data);
  }
  worker.postMessage(request, transfer);
}

/** Charts draw in the worker on an OffscreenCanvas; browsers without one cannot show them. */
export function chartsSupported(): boolean {
  return typeof HTMLCanvasElement !== 'undefined' && 'transferControlToOffscreen' in HTMLCanvasElement.prototype;
}

export class RemoteChart {
  readonly id = nextId++;
  #canvas: OffscreenCanvas | null;
  #pending = new Map<'png' | 'picked', (response: ChartResponse) => void>();

  constructor(
    canvas: HTMLCanvasElement,
    private readonly size: { width: number; height: number; pixelRatio: number },
    private readonly on: { drawn: () => void; error: (message: string) => void },
  ) {
    this.#canvas = canvas.transferControlToOffscreen();
    listeners.set(this.id, (response) => {
      if (response.type === 'drawn') this.on.drawn();
      else if (response.type === 'error') this.on.error(response.message);
      else this.#pending.get(response.type)?.(response);
    });
  }

  draw(spec: ChartSpec): void {
    const canvas = this.#canvas;
    this.#canvas = null;
    send({ type: 'draw', id: this.id, spec, ...this.size, ...(canvas ? { canvas } : {}) }, canvas ? [canvas] : []);
  }

  png(): Promise<Blob> {
    return new Promise((resolve) => {
      this.#pending.set('png', (response) => response.type === 'png' && resolve(response.blob));
      send({ type: 'png', id: this.id });
    });
  }

  /** The index of the data point at (x, y) in CSS pixels, or −1. */
  pick(x: number, y: number): Promise<number> {
    return new Promise((resolve) => {
      this.#pending.set('picked', (response) => response.type === 'picked' && resolve(response.index));
      send({ type: 'pick', id: this.id, x, y });
    });
  }

  dispose(): void {
    send({ type: 'dispose', id: this.id });
    listeners.delete(this.id);
  }
}
