// ECharts options of the workbench charts, as pure functions of the data (tested without a
// browser). A chart is described by a ChartSpec, plain data that crosses to the chart worker,
// which turns it into options there (options hold functions, which cannot cross). Animation
// is off: results appear at once, and a PNG export never catches a frame halfway. The
// background is white so that the PNG is too.
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, CustomSeriesOption, HeatmapSeriesOption, LineSeriesOption, ParallelSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, VisualMapComponentOption } from 'echarts/components';
import type { CustomSeriesRenderItem } from 'echarts';
import type { DependenceCurve, SobolBar } from './results.ts';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | CustomSeriesOption
  | HeatmapSeriesOption
  | LineSeriesOption
  | ParallelSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | VisualMapComponentOption
>;

/** What a chart shows, as structured-cloneable data: one kind per chart component. */
export type ChartSpec =
  | { kind: 'predicted-actual'; actual: readonly number[]; predicted: readonly number[]; std: readonly number[]; names: { actual: string; predicted: string } }
  | { kind: 'pareto'; points: readonly (readonly [number, number])[]; selected: number; names: { x: string; y: string } }
  | { kind: 'sobol'; bars: readonly SobolBar[]; names: { first: string; total: string } }
  | { kind: 'ranking'; items: readonly { variable: string; value: number }[] }
  | { kind: 'dependence'; curve: DependenceCurve; names: { x: string; y: string } }
  | { kind: 'heat-map'; aTicks: readonly string[]; bTicks: readonly string[]; values: readonly number[]; names: { a: string; b: string } }
  | { kind: 'loss'; epochs: readonly number[]; loss: readonly number[]; valLoss: readonly number[]; names: { epoch: string; loss: string; valLoss: string } }
  | { kind: 'residuals'; predicted: readonly number[]; residual: readonly number[]; names: { predicted: string; residual: string } }
  | { kind: 'parallel'; axes: readonly string[]; rows: readonly (readonly number[])[]; selected: number };

export function chartOption(spec: ChartSpec): ChartOption {
  const option = ((): ChartOption => {
    switch (spec.kind) {
      case 'predicted-actual':
        return predictedActualOption(spec.actual, spec.predicted, spec.std, spec.names);
      case 'pareto':
        return paretoOption(spec.points, spec.selected, spec.names);
      case 'sobol':
        return sobolOption(spec.bars, spec.names);
      case 'ranking':
        return rankingOption(spec.items);
      case 'dependence':
        return dependenceOption(spec.curve, spec.names);
      case 'heat-map':
        return heatMapOption(spec.aTicks, spec.bTicks, spec.values, spec.names);
      case 'loss':
        return lossOption(spec.epochs, spec.loss, spec.valLoss, spec.names);
      case 'residuals':
        return residualsOption(spec.predicted, spec.residual, spec.names);
      case 'parallel':
        return parallelOption(spec.axes, spec.rows, spec.selected);
    }
  })();
  // Progressive rendering paints a long series over several frames; a chart disposed meanwhile
  // would leave zrender painting into it. These charts are small enough to paint at once.
  const series = (Array.isArray(option.series) ? option.series : option.series ? [option.series] : []).map((s) => ({ ...s, progressive: 0 }));
  return { backgroundColor: '#fff', ...option, series } as ChartOption;
}

export const COLOURS = { brand: '#1f4e79', light: '#9fb7cc', pale: '#e8eff6', ink: '#1b1f24', grey: '#8c959f', selected: '#f6b93b' } as const;

/** A short label for an axis tick or a bar: three significant digits. */
export function short(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : '';
}

/** The extent of the finite values with 5 % of room on each side (never empty). */
export function paddedSpan(values: readonly number[]): { lo: number; hi: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { lo: 0, hi: 1 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const margin = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return { lo: lo - margin, hi: hi + margin };
}

function valueAxis(name: string, span: { lo: number; hi: number } | null, nameGap: number) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap,
    ...(span ? { min: span.lo, max: span.hi } : { scale: true }),
    // Padded bounds are not round numbers: their labels would crowd the nearest round tick.
    axisLabel: { formatter: short, hideOverlap: true, showMinLabel: !span, showMaxLabel: !span },
    splitLine: { lineStyle: { color: COLOURS.pale } },
  };
}

/** A vertical bar from the datum's second to third value at its first: an error bar or interval. */
const verticalInterval: CustomSeriesRenderItem = (_params, api) => {
  const x = api.value(0);
  const low = api.coord([x, api.value(1)]);
  const high = api.coord([x, api.value(2)]);
  return { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: { stroke: COLOURS.light, lineWidth: 1 } };
};

export function predictedActualOption(
  actual: readonly number[],
  predicted: readonly number[],
  std: readonly number[],
  names: { actual: string; predicted: string },
): ChartOption {
  const span = paddedSpan([...actual, ...predicted.map((p, i) => p - std[i]), ...predicted.map((p, i) => p + std[i])]);
  return {
    animation: false,
    grid: { left: 60, right: 16, top: 16, bottom: 46 },
    xAxis: valueAxis(names.actual, span, 28),
    yAxis: valueAxis(names.predicted, span, 44),
    series: [
      // The diagonal: a perfect model puts every point on it.
      { type: 'line', data: [[span.lo, span.lo], [span.hi, span.hi]], symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: COLOURS.grey, width: 1 } },
      { type: 'custom', data: actual.map((a, i) => [a, predicted[i] - std[i], predicted[i] + std[i]]), encode: { x: 0, y: [1, 2] }, renderItem: verticalInterval, silent: true },
      {
        type: 'scatter',
        name: names.predicted,
        data: actual.map((a, i) => [a, predicted[i]]),
        symbolSize: 5,
        itemStyle: { color: COLOURS.brand },
      },
    ],
  };
}

export function paretoOption(points: readonly (readonly [number, number])[], selected: number, names: { x: string; y: string }): ChartOption {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 16, bottom: 46 },
    xAxis: valueAxis(names.x, paddedSpan(points.map((p) => p[0])), 28),
    yAxis: valueAxis(names.y, paddedSpan(points.map((p) => p[1])), 48),
    series: [
      {
        type: 'scatter',
        data: points.map((p, i) => ({
          value: [p[0], p[1]],
          symbolSize: i === selected ? 13 : 9,
          itemStyle: i === selected ? { color: COLOURS.selected, borderColor: COLOURS.ink, borderWidth: 1.5 } : { color: COLOURS.brand },
        })),
      },
    ],
  };
}

/** One Sobol index per input as a bar with its 95 % interval as a whisker; `offset` places the pair. */
function sobolSeries(name: string, colour: string, offset: -1 | 1, bars: readonly SobolBar[], pick: (bar: SobolBar) => [number, number, number]): CustomSeriesOption {
  const renderItem: CustomSeriesRenderItem = (_params, api) => {
    const row = api.value(0);
    const zero = api.coord([0, row]);
    const value = api.coord([api.value(1), row]);
    const low = api.coord([api.value(2), row]);
    const high = api.coord([api.value(3), row]);
    const thickness = Math.min(14, (api.size?.([0, 1]) as number[])[1] * 0.32);
    const middle = zero[1] + (offset * (thickness + 2)) / 2;
    return {
      type: 'group',
      children: [
        { type: 'rect', shape: { x: Math.min(zero[0], value[0]), y: middle - thickness / 2, width: Math.abs(value[0] - zero[0]), height: thickness }, style: { fill: colour } },
        { type: 'line', shape: { x1: low[0], y1: middle, x2: high[0], y2: middle }, style: { stroke: COLOURS.ink, lineWidth: 1 } },
      ],
    };
  };
  return {
    type: 'custom',
    name,
    itemStyle: { color: colour },
    data: bars.map((bar, i) => [i, ...pick(bar)]),
    encode: { x: [1, 2, 3], y: 0 },
    renderItem,
  };
}

export function sobolOption(bars: readonly SobolBar[], names: { first: string; total: string }): ChartOption {
  const finite = bars.flatMap((b) => [b.first, b.total, ...b.firstInterval, ...b.totalInterval]).filter(Number.isFinite);
  return {
    animation: false,
    grid: { left: 130, right: 20, top: 30, bottom: 24 },
    legend: { data: [names.first, names.total], top: 0 },
    xAxis: {
      type: 'value',
      min: Math.min(0, ...finite),
      max: Math.max(0.1, ...finite),
      axisLabel: { formatter: short, showMinLabel: Math.min(0, ...finite) === 0, showMaxLabel: false },
    },
    yAxis: { type: 'category', inverse: true, data: bars.map((b) => b.variable), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [
      sobolSeries(names.first, COLOURS.light, -1, bars, (b) => [b.first, ...b.firstInterval]),
      sobolSeries(names.total, COLOURS.brand, 1, bars, (b) => [b.total, ...b.totalInterval]),
    ],
  };
}

export function rankingOption(items: readonly { variable: string; value: number }[]): ChartOption {
  return {
    animation: false,
    grid: { left: 130, right: 60, top: 8, bottom: 24 },
    xAxis: { type: 'value', min: 0, axisLabel: { formatter: short } },
    yAxis: { type: 'category', inverse: true, data: items.map((item) => item.variable), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        data: items.map((item) => item.value),
        barMaxWidth: 14,
        itemStyle: { color: COLOURS.brand },
        label: { show: true, position: 'right', formatter: ({ value }) => short(value as number) },
      },
    ],
  };
}

export function dependenceOption(curve: DependenceCurve, names: { x: string; y: string }): ChartOption {
  // The ICE band as one polygon: drawn once, from the whole curve.
  const band: CustomSeriesRenderItem = (params, api) => {
    if (params.dataIndex !== 0) return null;
    const upper = curve.grid.map((g, i) => api.coord([g, curve.high[i]]));
    const lower = curve.grid.map((g, i) => api.coord([g, curve.low[i]])).reverse();
    return { type: 'polygon', shape: { points: [...upper, ...lower] }, style: { fill: COLOURS.light, opacity: 0.5 } };
  };
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 16, bottom: 46 },
    xAxis: valueAxis(names.x, { lo: Math.min(...curve.grid), hi: Math.max(...curve.grid) }, 28),
    yAxis: valueAxis(names.y, paddedSpan([...curve.low, ...curve.high, ...curve.mean]), 48),
    series: [
      { type: 'custom', data: curve.grid.map((g, i) => [g, curve.low[i], curve.high[i]]), encode: { x: 0, y: [1, 2] }, renderItem: band, silent: true },
      { type: 'line', name: names.y, data: curve.grid.map((g, i) => [g, curve.mean[i]]), symbol: 'none', lineStyle: { color: COLOURS.brand, width: 2 }, itemStyle: { color: COLOURS.brand } },
    ],
  };
}

/** Cells of a grid stored as values[i * gridB.length + j] for gridA[i] and gridB[j]. */
export function heatMapOption(
  aTicks: readonly string[],
  bTicks: readonly string[],
  values: readonly number[],
  names: { a: string; b: string },
): ChartOption {
  const finite = values.filter(Number.isFinite);
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 1;
  return {
    animation: false,
    grid: { left: 72, right: 90, top: 10, bottom: 50 },
    xAxis: { type: 'category', name: names.a, nameLocation: 'middle', nameGap: 32, data: [...aTicks], splitArea: { show: false } },
    yAxis: { type: 'category', name: names.b, nameLocation: 'middle', nameGap: 56, data: [...bTicks], splitArea: { show: false } },
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi > lo ? hi : lo + 1,
      calculable: false,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemHeight: 120,
      text: [short(hi), short(lo)],
      inRange: { color: [COLOURS.pale, COLOURS.brand] },
    },
    series: [
      {
        type: 'heatmap',
        data: aTicks.flatMap((_, i) => bTicks.map((_, j) => [i, j, values[i * bTicks.length + j]])),
      },
    ],
  };
}

/** Training and held-out loss per epoch: the held-out curve turning up is where training stops helping. */
export function lossOption(
  epochs: readonly number[],
  loss: readonly number[],
  valLoss: readonly number[],
  names: { epoch: string; loss: string; valLoss: string },
): ChartOption {
  return {
    animation: false,
    legend: { data: [names.loss, names.valLoss], top: 0 },
    grid: { left: 60, right: 16, top: 30, bottom: 46 },
    xAxis: { ...valueAxis(names.epoch, null, 28), minInterval: 1 },
    yAxis: valueAxis(names.loss, paddedSpan([...loss, ...valLoss]), 44),
    series: [
      { type: 'line', name: names.loss, data: epochs.map((e, i) => [e, loss[i]]), symbol: 'none', lineStyle: { color: COLOURS.brand, width: 1.5 }, itemStyle: { color: COLOURS.brand } },
      { type: 'line', name: names.valLoss, data: epochs.map((e, i) => [e, valLoss[i]]), symbol: 'none', lineStyle: { color: COLOURS.selected, width: 1.5 }, itemStyle: { color: COLOURS.selected } },
    ],
  };
}

/** Residuals (actual − predicted) against predicted, with the zero line: a pattern means a missed effect. */
export function residualsOption(predicted: readonly number[], residual: readonly number[], names: { predicted: string; residual: string }): ChartOption {
  const x = paddedSpan(predicted);
  const bound = Math.max(...residual.filter(Number.isFinite).map(Math.abs), 0) * 1.05 || 1;
  return {
    animation: false,
    grid: { left: 60, right: 16, top: 16, bottom: 46 },
    xAxis: valueAxis(names.predicted, x, 28),
    yAxis: valueAxis(names.residual, { lo: -bound, hi: bound }, 44),
    series: [
      { type: 'line', data: [[x.lo, 0], [x.hi, 0]], symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: COLOURS.grey, width: 1 } },
      { type: 'scatter', name: names.residual, data: predicted.map((p, i) => [p, residual[i]]), symbolSize: 5, itemStyle: { color: COLOURS.brand } },
    ],
  };
}

/** Where the parallel-coordinates chart sits in its canvas; picking a line computes the same layout. */
export const PARALLEL_LAYOUT = { left: 48, right: 48, top: 40, bottom: 24 } as const;

/** Each axis's drawn range: the values' span with 5 % of room. */
export function parallelSpans(axes: readonly string[], rows: readonly (readonly number[])[]): { lo: number; hi: number }[] {
  return axes.map((_, k) => paddedSpan(rows.map((row) => row[k])));
}

/** One line per solution across one axis per objective; the selected one is drawn last, on top. */
export function parallelOption(axes: readonly string[], rows: readonly (readonly number[])[], selected: number): ChartOption {
  const spans = parallelSpans(axes, rows);
  const others = rows.map((row, i) => ({ row, i })).filter(({ i }) => i !== selected);
  return {
    animation: false,
    parallel: { ...PARALLEL_LAYOUT, parallelAxisDefault: { nameLocation: 'end', nameGap: 12, axisLabel: { formatter: short } } },
    parallelAxis: axes.map((name, k) => ({ dim: k, name, type: 'value', min: spans[k].lo, max: spans[k].hi })),
    series: [
      { type: 'parallel', data: others.map(({ row }) => [...row]), lineStyle: { color: COLOURS.brand, width: 1, opacity: 0.45 }, silent: true },
      { type: 'parallel', data: rows[selected] ? [[...rows[selected]]] : [], lineStyle: { color: COLOURS.selected, width: 3, opacity: 1 }, silent: true },
    ],
  };
}

/** Distance in pixels from (x, y) to a polyline. */
function polylineDistance(points: readonly (readonly [number, number])[], x: number, y: number): number {
  let best = Infinity;
  for (let k = 1; k < points.length; k++) {
    const [ax, ay] = points[k - 1];
    const [bx, by] = points[k];
    const dx = bx - ax;
    const dy = by - ay;
    const length2 = dx * dx + dy * dy;
    const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / length2));
    best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
  }
  return best;
}

/** The solution whose line passes nearest a click at (x, y), within `reach` pixels, or -1. */
export function pickParallelLine(
  axes: readonly string[],
  rows: readonly (readonly number[])[],
  size: { width: number; height: number },
  x: number,
  y: number,
  reach = 6,
): number {
  const spans = parallelSpans(axes, rows);
  const { left, right, top, bottom } = PARALLEL_LAYOUT;
  const step = axes.length > 1 ? (size.width - left - right) / (axes.length - 1) : 0;
  const height = size.height - top - bottom;
  let best = -1;
  let bestDistance = reach;
  rows.forEach((row, i) => {
    const points = row.map((value, k): [number, number] => [left + k * step, top + (1 - (value - spans[k].lo) / (spans[k].hi - spans[k].lo)) * height]);
    const distance = polylineDistance(points, x, y);
    if (distance <= bestDistance) [best, bestDistance] = [i, distance];
  });
  return best;
}
