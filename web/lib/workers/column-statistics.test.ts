import { describe, expect, it } from 'vitest';
import { createTable } from '../../../shared/engine/table/table.ts';
import { correlationMatrix, HISTOGRAM_BINS, tableStatistics } from './column-statistics.ts';

const f = (values: number[]) => Float64Array.from(values);

describe('correlation of numeric columns', () => {
  it('matches Pearson r computed by hand', () => {
    // x = 1..5, y = 2, 4, 5, 4, 5: Sxy = 6, Sxx = 10, Syy = 6 → r = 6 / √60 = 0.7745966692.
    const { values, pairs } = correlationMatrix(['x', 'y'], [f([1, 2, 3, 4, 5]), f([2, 4, 5, 4, 5])]);
    expect(values[0]).toBe(1);
    expect(values[3]).toBe(1);
    expect(values[1]).toBeCloseTo(0.7745966692, 9);
    expect(values[2]).toBe(values[1]);
    expect(pairs).toEqual([5, 5, 5, 5]);
  });

  it('is exact for collinear columns and keeps digits when the mean is large', () => {
    const x = f([1, 2, 3, 4]);
    const down = f([8, 6, 4, 2]);
    // Temperatures in kelvin-like offsets: 1e9 + small spread.
    const offset = f([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]);
    const { values } = correlationMatrix(['x', 'down', 'offset'], [x, down, offset]);
    expect(values[1]).toBe(-1);
    expect(values[2]).toBeCloseTo(1, 12);
  });

  it('uses the rows where both values are present, and gives NaN without two of them', () => {
    // Complete pairs of (x, y): (1, 2), (3, 6), (4, 8) → r = 1.
    const { values, pairs } = correlationMatrix(['x', 'y', 'z'], [f([1, 2, 3, 4]), f([2, NaN, 6, 8]), f([NaN, NaN, NaN, 1])]);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(pairs[1]).toBe(3);
    expect(pairs[2]).toBe(1);
    expect(values[2]).toBeNaN();
    expect(values[8]).toBeNaN();
  });
});

describe('table statistics', () => {
  it('summarizes every column and correlates only the numeric columns that vary', () => {
    const table = createTable([
      { name: 'id', kind: 'identifier', values: ['a', 'b', 'c', 'd'] },
      { name: 'x', kind: 'numeric', values: f([1, 2, 3, 4]) },
      { name: 'flat', kind: 'numeric', values: f([7, 7, 7, 7]) },
      { name: 'y', kind: 'numeric', values: f([4, 3, 2, NaN]) },
    ]);
    const { columns, correlation } = tableStatistics(table);
    expect(columns.map((c) => [c.name, c.missing])).toEqual([
      ['id', 0],
      ['x', 0],
      ['flat', 0],
      ['y', 1],
    ]);
    const x = columns[1];
    expect(x.kind === 'numeric' && x.histogram.length).toBe(HISTOGRAM_BINS);
    expect(x.kind === 'numeric' && x.histogram.reduce((a, b) => a + b, 0)).toBe(4);
    expect(correlation.names).toEqual(['x', 'y']);
    expect(correlation.values[1]).toBeCloseTo(-1, 12);
  });
});
