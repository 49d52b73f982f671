import { describe, expect, it } from 'vitest';
import type { Column } from '../../../../shared/engine/table/table.ts';
import { cellText, firstRows } from './cell-text.ts';

const columns: Column[] = [
  { name: 'id', kind: 'identifier', values: ['S-1', null, 'S-3'] },
  { name: 'x', kind: 'numeric', values: Float64Array.from([51.9, NaN, -0.25]) },
];

describe('grid cell text', () => {
  it('shows values as read and missing cells as blank', () => {
    expect([0, 1, 2].map((i) => cellText(columns[1], i))).toEqual(['51.9', '', '-0.25']);
    expect([0, 1, 2].map((i) => cellText(columns[0], i))).toEqual(['S-1', '', 'S-3']);
  });

  it('takes the first rows, however short the table', () => {
    expect(firstRows(columns, 2)).toEqual([
      ['S-1', '51.9'],
      ['', ''],
    ]);
    expect(firstRows(columns, 10)).toHaveLength(3);
    expect(firstRows([], 10)).toEqual([]);
  });
});
