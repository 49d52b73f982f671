// The loss curve, residual and parallel-coordinates charts, and picking a line of the last.
import { describe, expect, it } from 'vitest';
import { PARALLEL_LAYOUT, chartOption, lossOption, parallelOption, pickParallelLine, residualsOption } from './chart-options.ts';
import { lossCsv, parallelCsv, residualsCsv } from './chart-csv.ts';

describe('loss, residual and parallel charts', () => {
  it('draws training and held-out loss against the epoch', () => {
    const option = lossOption([1, 2, 3], [3, 2, 1], [4, 3, 3.5], { epoch: 'epoch', loss: 'loss', valLoss: 'held-out' });
    const series = option.series as { name: string; data: number[][] }[];
    expect(series.map((s) => s.name)).toEqual(['loss', 'held-out']);
    expect(series[1].data).toEqual([[1, 4], [2, 3], [3, 3.5]]);
    // The y axis spans both curves with 5 % room: 1 to 4 → 0.85 to 4.15.
    const y = option.yAxis as { min: number; max: number };
    expect(y.min).toBeCloseTo(0.85, 12);
    expect(y.max).toBeCloseTo(4.15, 12);
  });

  it('draws residuals symmetric about zero', () => {
    const option = residualsOption([1, 2, 3], [0.5, -2, 1], { predicted: 'p', residual: 'r' });
    const y = option.yAxis as { min: number; max: number };
    expect([y.min, y.max]).toEqual([-2.1, 2.1]);
    const points = (option.series as { type: string; data: number[][] }[]).find((s) => s.type === 'scatter')!.data;
    expect(points).toEqual([[1, 0.5], [2, -2], [3, 1]]);
    expect(residualsCsv([3, 1], [2.5, 2]).split('\r\n').slice(0, 3)).toEqual(['\uFEFFrow,actual,predicted,residual', '1,3,2.5,0.5', '2,1,2,-1']);
  });

  it('puts each solution on parallel axes with the selected one on top', () => {
    const rows = [[1, 10, 100], [2, 20, 300], [3, 15, 200]];
    const option = chartOption({ kind: 'parallel', axes: ['a', 'b', 'c'], rows, selected: 1 }) as Record<string, unknown>;
    const axes = option.parallelAxis as { dim: number; name: string; min: number; max: number }[];
    expect(axes.map((a) => [a.dim, a.name])).toEqual([[0, 'a'], [1, 'b'], [2, 'c']]);
    expect(axes[2].min).toBeCloseTo(90, 12);
    expect(axes[2].max).toBeCloseTo(310, 12);
    const series = parallelOption(['a', 'b', 'c'], rows, 1).series as { type: string; data: number[][] }[];
    expect(series.map((s) => s.type)).toEqual(['parallel', 'parallel']);
    expect(series[0].data).toEqual([rows[0], rows[2]]);
    expect(series[1].data).toEqual([rows[1]]);
    expect(parallelCsv(['a', 'b'], [[1, 2]])).toBe('\uFEFFsolution,a,b\r\n1,1,2\r\n');
    expect(lossCsv([1], [0.5], [0.75])).toBe('\uFEFFepoch,loss,held_out_loss\r\n1,0.5,0.75\r\n');
  });

  it('picks the line nearest a click, within reach', () => {
    const rows = [[0, 0], [10, 10], [0, 10]];
    const size = { width: 300, height: 200 };
    const { left, right, top, bottom } = PARALLEL_LAYOUT;
    // Spans are 0 to 10 with 0.5 of room: value v sits at top + (1 - (v + 0.5) / 11) * height.
    const y = (v: number) => top + (1 - (v + 0.5) / 11) * (size.height - top - bottom);
    const mid = (left + size.width - right) / 2;
    // Halfway along row 2 (0 → 10) and row 1 is flat at 10: a click just below the flat line picks row 1.
    expect(pickParallelLine(['a', 'b'], rows, size, mid, y(10) + 2)).toBe(1);
    expect(pickParallelLine(['a', 'b'], rows, size, left + 1, y(0))).toBe(0);
    expect(pickParallelLine(['a', 'b'], rows, size, mid, y(5))).toBe(2);
    expect(pickParallelLine(['a', 'b'], rows, size, mid, y(2))).toBe(-1);
  });
});
