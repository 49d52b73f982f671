// Messages between the chart components and the chart worker: plain or transferable data only.
import type { ChartSpec } from './chart-options.ts';

export type ChartRequest =
  /** The first draw of a chart hands over its canvas; later ones only the spec. */
  | { type: 'draw'; id: number; spec: ChartSpec; canvas?: OffscreenCanvas; width: number; height: number; pixelRatio: number }
  | { type: 'png'; id: number }
  /** Which data point is under (x, y), in CSS pixels of the chart. */
  | { type: 'pick'; id: number; x: number; y: number }
  | { type: 'dispose'; id: number };

export type ChartResponse =
  | { type: 'drawn'; id: number }
  | { type: 'png'; id: number; blob: Blob }
  | { type: 'picked'; id: number; index: number }
  | { type: 'error'; id: number; message: string };
