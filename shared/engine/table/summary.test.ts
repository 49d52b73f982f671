import { describe, expect, it } from 'vitest';
import { createTable } from './table.ts';
import { quantileSorted, summarizeTable } from './summary.ts';

describe('summarizeTable', () => {
  it('computes numeric statistics that match hand-worked values', () => {
    const table = createTable([
      { name: 'x', kind: 'numeric', values: Float64Array.from([4, NaN, 1, 3, 2, 5]) },
    ]);
    const [x] = summarizeTable(table, { bins: 4 });
    expect(x.kind).toBe('numeric');
    if (x.kind !== 'numeric') return;
    expect(x.count).toBe(5);
    expect(x.missing).toBe(1);
    expect(x.mean).toBe(3);
    // Sample variance of 1..5 is 2.5.
    expect(x.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect([x.min, x.q1, x.median, x.q3, x.max]).toEqual([1, 2, 3, 4, 5]);
    // Bins of width 1 over [1, 5]: 1 | 2 | 3 | 4,5
    expect(x.histogram).toEqual([1, 1, 1, 2]);
  });

  it('keeps digits when the mean dwarfs the spread', () => {
    const values = Float64Array.from([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    const [s] = summarizeTable(createTable([{ name: 'k', kind: 'numeric', values }]));
    if (s.kind !== 'numeric') throw new Error('expected numeric');
    // Variance of 4, 7, 13, 16 is 30.
    expect(s.std).toBeCloseTo(Math.sqrt(30), 6);
  });

  it('counts labels of text columns, most frequent first', () => {
    const table = createTable([
      { name: 'type', kind: 'categorical', values: ['bc', 'wc', null, 'prof', 'wc', 'bc', 'wc'] },
    ]);
    const [s] = summarizeTable(table, { topLabels: 2 });
    expect(s).toEqual({
      name: 'type',
      kind: 'categorical',
      count: 6,
      missing: 1,
      distinct: 3,
      top: [
        { value: 'wc', count: 3 },
        { value: 'bc', count: 2 },
      ],
    });
  });

  it('rejects columns of different lengths', () => {
    expect(() =>
      createTable([
        { name: 'a', kind: 'numeric', values: new Float64Array(3) },
        { name: 'b', kind: 'numeric', values: new Float64Array(2) },
      ]),
    ).toThrow(/has 2 cells but the table has 3 rows/);
  });
});

describe('quantileSorted', () => {
  it('interpolates like numpy (type 7)', () => {
    // numpy.quantile([1, 2, 4, 8], 0.3) == 1.9
    expect(quantileSorted([1, 2, 4, 8], 0.3)).toBeCloseTo(1.9, 12);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});
