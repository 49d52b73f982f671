// ECharts options of the workbench charts, as pure functions of the data (tested without a
// browser). A chart is described by a ChartSpec, plain data that crosses to the chart worker,
// which turns it into options there (options hold functions, which cannot cross). Animation
// is off: results appear at once, and a PNG export never catches a frame halfway. The
// background is white so that the PNG is too.
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, CustomSeriesOption, HeatmapSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, VisualMapComponentOption } from 'echarts/components';
import type { CustomSeriesRenderItem } from 'echarts';
import type { DependenceCurve, SobolBar } from './results.ts';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | CustomSeriesOption
  | HeatmapSeriesOption
  | LineSeriesOption
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
  | { kind: 'heat-map'; aTicks: readonly string[]; bTicks: readonly string[]; values: readonly number[]; names: { a: string; b: string } };

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
