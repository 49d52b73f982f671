// Applicability domain: is a query point like the rows the model learned from? Two tests,
// in standardized units: inside the training ranges (with a margin of 5 % of each range),
// and its distance to the nearest training row no larger than the distance within which 95 %
// of training rows have their own nearest neighbour (so "as close as the data are to each other").
import type { DomainSummary } from '../../schema/model-file.ts';
import { createRng } from '../models/rng.ts';

const MAX_POINTS = 2000;
const RANGE_MARGIN = 0.05;

export interface DomainCheck {
  readonly inDomain: boolean;
  readonly insideRanges: boolean;
  /** Nearest-neighbour distance divided by the threshold: above 1 is outside. */
  readonly distanceRatio: number;
}

function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function decodeFloat32(base64: string): Float32Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function nearestDistance(points: ArrayLike<number>, count: number, d: number, query: ArrayLike<number>, qOffset: number, skip = -1): number {
  let best = Infinity;
  for (let i = 0; i < count; i++) {
    if (i === skip) continue;
    let sum = 0;
    for (let j = 0; j < d && sum < best; j++) {
      const diff = points[i * d + j] - query[qOffset + j];
      sum += diff * diff;
    }
    if (sum < best) best = sum;
  }
  return Math.sqrt(best);
}

/** Summarizes standardized training inputs (rows × d, row-major). */
export function summarizeDomain(x: Float64Array, rows: number, d: number, seed = 0): DomainSummary {
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      const value = x[i * d + j];
      if (value < min[j]) min[j] = value;
      if (value > max[j]) max[j] = value;
    }
  }
  let chosen = Array.from({ length: rows }, (_, i) => i);
  if (rows > MAX_POINTS) chosen = createRng(seed).shuffle(chosen).slice(0, MAX_POINTS);
  const points = new Float32Array(chosen.length * d);
  chosen.forEach((row, k) => points.set(x.subarray(row * d, row * d + d), k * d));
  const distances = chosen
    .map((_, k) => nearestDistance(points, chosen.length, d, points, k * d, k))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const threshold = distances.length > 0 ? distances[Math.min(distances.length - 1, Math.floor(0.95 * distances.length))] : 0;
  return { min, max, points: encodeFloat32(points), pointCount: chosen.length, threshold };
}

export interface DomainChecker {
  check(x: Float64Array, row: number): DomainCheck;
}

export function domainChecker(summary: DomainSummary): DomainChecker {
  const points = decodeFloat32(summary.points);
  const d = summary.min.length;
  // A tiny floor keeps a threshold of zero (duplicated rows) from flagging the training rows themselves.
  const threshold = Math.max(summary.threshold, 1e-6);
  return {
    check(x, row) {
      let insideRanges = true;
      for (let j = 0; j < d; j++) {
        const value = x[row * d + j];
        const margin = RANGE_MARGIN * (summary.max[j] - summary.min[j]);
        if (value < summary.min[j] - margin || value > summary.max[j] + margin) insideRanges = false;
      }
      const distanceRatio = nearestDistance(points, summary.pointCount, d, x, row * d) / threshold;
      return { inDomain: insideRanges && distanceRatio <= 1, insideRanges, distanceRatio };
    },
  };
}
