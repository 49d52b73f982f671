// The chart worker: ECharts draws every chart here, on the OffscreenCanvas its component hands
// over, so that loading ECharts and laying out a chart never hold the main thread (a first
// chart took 70–150 ms there, well past the 50 ms of a long task).
/// <reference lib="webworker" />
import type { ECharts } from 'echarts/core';
import { init } from './echarts.ts';
import { chartOption, pickParallelLine, type ChartSpec } from './chart-options.ts';
import type { ChartRequest, ChartResponse } from './chart-messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
interface Entry {
  chart: ECharts;
  canvas: OffscreenCanvas;
  spec: ChartSpec;
  /** Settles when the last draw is on the canvas: zrender paints a long list over several frames. */
  idle: Promise<void>;
  markIdle: () => void;
}
const charts = new Map<number, Entry>();

function reply(message: ChartResponse): void {
  scope.postMessage(message);
}

/** The nearest point of a scatter within 12 px of (x, y), or −1. */
function pick(chart: ECharts, spec: ChartSpec, x: number, y: number): number {
  if (spec.kind === 'parallel') return pickParallelLine(spec.axes, spec.rows, { width: chart.getWidth(), height: chart.getHeight() }, x, y);
  if (spec.kind !== 'pareto') return -1;
  let best = -1;
  let bestDistance = 12;
  spec.points.forEach((point, i) => {
    const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [point[0], point[1]]) as number[];
    const distance = Math.hypot(px - x, py - y);
    if (distance <= bestDistance) [best, bestDistance] = [i, distance];
  });
  return best;
}

async function handle(request: ChartRequest): Promise<void> {
  const entry = charts.get(request.id);
  switch (request.type) {
    case 'draw': {
      let current = entry;
      if (!current) {
        if (!request.canvas) throw new Error('The first draw of a chart needs its canvas');
        const chart = init(request.canvas as unknown as HTMLElement, null, {
          renderer: 'canvas',
          width: request.width,
          height: request.height,
          devicePixelRatio: request.pixelRatio,
        });
        const created: Entry = { chart, canvas: request.canvas, spec: request.spec, idle: Promise.resolve(), markIdle: () => {} };
        chart.on('finished', () => {
          created.markIdle();
          reply({ type: 'drawn', id: request.id });
        });
        charts.set(request.id, (current = created));
      }
      const drawing = current;
      drawing.spec = request.spec;
      drawing.idle = new Promise((resolve) => (drawing.markIdle = resolve));
      drawing.chart.setOption(chartOption(request.spec), { notMerge: true });
      return;
    }
    case 'png':
      if (!entry) return;
      await entry.idle;
      reply({ type: 'png', id: request.id, blob: await entry.canvas.convertToBlob({ type: 'image/png' }) });
      return;
    case 'pick':
      if (entry) reply({ type: 'picked', id: request.id, index: pick(entry.chart, entry.spec, request.x, request.y) });
      return;
    case 'dispose':
      if (!entry) return;
      charts.delete(request.id);
      // Disposing mid-paint would leave zrender's next frame painting a disposed chart.
      await entry.idle;
      entry.chart.dispose();
      return;
  }
}

scope.onmessage = (event: MessageEvent<ChartRequest>) => {
  handle(event.data).catch((error: unknown) => reply({ type: 'error', id: event.data.id, message: error instanceof Error ? error.message : String(error) }));
};
