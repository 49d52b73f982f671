import { describe, expect, it } from 'vitest';
import { chartOption, dependenceOption, heatMapOption, paddedSpan, paretoOption, predictedActualOption, short, sobolOption } from './chart-options.ts';

type Series = { type: string; data: unknown[]; encode?: unknown };
const seriesOf = (option: { series?: unknown }) => option.series as Series[];

describe('chart options', () => {
  it('pads the extent by 5 % and never returns an empty one', () => {
    expect(paddedSpan([0, 10])).toEqual({ lo: -0.5, hi: 10.5 });
    expect(paddedSpan([2, 2])).toEqual({ lo: 1.9, hi: 2.1 });
    expect(paddedSpan([NaN])).toEqual({ lo: 0, hi: 1 });
    expect(short(0.123456)).toBe('0.123');
    expect(short(12345)).toBe('12300');
  });

  it('draws predicted against actual with error bars and a diagonal over the whole view', () => {
    const option = predictedActualOption([1, 2, 3], [1.5, 2, 2.5], [0.5, 0.1, 0.5], { actual: 'a', predicted: 'p' });
    const [diagonal, bars, points] = seriesOf(option);
    // Actual and the ±std bars span 1…3, padded by 0.1.
    expect(diagonal.data).toEqual([[0.9, 0.9], [3.1, 3.1]]);
    expect(bars.data).toEqual([[1, 1, 2], [2, 1.9, 2.1], [3, 2, 3]]);
    expect(points.data).toEqual([[1, 1.5], [2, 2], [3, 2.5]]);
  });

  it('marks the selected Pareto point', () => {
    const [scatter] = seriesOf(paretoOption([[1, 2], [3, 4]], 1, { x: 'x', y: 'y' }));
    const data = scatter.data as { value: number[]; symbolSize: number; itemStyle: { color: string } }[];
    expect(data.map((d) => d.value)).toEqual([[1, 2], [3, 4]]);
    expect(data[1].symbolSize).toBeGreaterThan(data[0].symbolSize);
    expect(data[1].itemStyle.color).toBe('#f6b93b');
  });

  it('gives each Sobol index its interval, one row per input', () => {
    const option = sobolOption(
      [
        { variable: 'A', first: 0.6, total: 0.7, firstInterval: [0.5, 0.7], totalInterval: [0.6, 0.8] },
        { variable: 'B', first: -0.01, total: 0.2, firstInterval: [-0.05, 0.03], totalInterval: [0.1, 0.3] },
      ],
      { first: 'first', total: 'total' },
    );
    const [first, total] = seriesOf(option);
    expect(first.data).toEqual([[0, 0.6, 0.5, 0.7], [1, -0.01, -0.05, 0.03]]);
    expect(total.data).toEqual([[0, 0.7, 0.6, 0.8], [1, 0.2, 0.1, 0.3]]);
    expect((option.xAxis as { min: number }).min).toBe(-0.05);
    expect((option.yAxis as { data: string[] }).data).toEqual(['A', 'B']);
  });

  it('spans the dependence band and line over the grid', () => {
    const option = dependenceOption({ grid: [0, 1, 2], mean: [1, 2, 3], low: [0, 1, 2], high: [2, 3, 4] }, { x: 'x', y: 'y' });
    const [band, line] = seriesOf(option);
    expect(band.data).toHaveLength(3);
    expect(line.data).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it('places heat-map cell values[i * nB + j] at column i and row j', () => {
    const option = heatMapOption(['a0', 'a1'], ['b0', 'b1', 'b2'], [1, 2, 3, 4, 5, 6], { a: 'A', b: 'B' });
    const [cells] = seriesOf(option);
    expect(cells.data).toEqual([[0, 0, 1], [0, 1, 2], [0, 2, 3], [1, 0, 4], [1, 1, 5], [1, 2, 6]]);
    expect(option.visualMap).toMatchObject({ min: 1, max: 6 });
  });
});

describe('chartOption', () => {
  it('builds the option of each kind of spec on a white background', () => {
    const option = chartOption({ kind: 'ranking', items: [{ variable: 'a', value: 1 }] });
    expect(option.backgroundColor).toBe('#fff');
    expect(seriesOf(option)[0]).toMatchObject({ type: 'bar', data: [1] });
    const heat = chartOption({ kind: 'heat-map', aTicks: ['x'], bTicks: ['y'], values: [3], names: { a: 'A', b: 'B' } });
    expect(seriesOf(heat)[0]).toMatchObject({ type: 'heatmap', data: [[0, 0, 3]], progressive: 0 });
  });
});
