// A histogram's bin counts as the bars of a small inline SVG.

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * One bar per bin, scaled so that the fullest bin fills the height; an empty bin gets no height
 * and a non-empty one at least one pixel, so a lone outlier still shows.
 */
export function sparklineBars(counts: readonly number[], width: number, height: number, gap = 1): Bar[] {
  if (counts.length === 0) return [];
  const peak = Math.max(...counts);
  const step = width / counts.length;
  return counts.map((count, i) => {
    const barHeight = peak > 0 && count > 0 ? Math.max(1, (count / peak) * height) : 0;
    return { x: i * step, y: height - barHeight, width: Math.max(0.5, step - gap), height: barHeight };
  });
}
