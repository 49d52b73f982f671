import { describe, expect, it } from 'vitest';
import { requireOutputNumbers, requireRowCount } from './checks.ts';
import { TableError } from './errors.ts';
import { createTable } from './table.ts';

const table = createTable([
  { name: 'strength', kind: 'numeric', values: Float64Array.from([1, NaN, 3]) },
  { name: 'blank', kind: 'numeric', values: Float64Array.from([NaN, NaN, NaN]) },
  { name: 'grade', kind: 'categorical', values: ['a', 'b', 'a'] },
  { name: 'batch', kind: 'constant', values: ['7', '7', '7'] },
]);

function caught(f: () => unknown): TableError {
  try {
    f();
  } catch (error) {
    if (error instanceof TableError) return error;
  }
  throw new Error('expected a TableError');
}

describe('requireOutputNumbers', () => {
  it('returns a numeric output that holds numbers', () => {
    expect(requireOutputNumbers(table, 'strength').values[2]).toBe(3);
  });

  it('explains why an output is unusable', () => {
    expect(caught(() => requireOutputNumbers(table, 'blank'))).toMatchObject({
      code: 'no-numbers',
      column: 'blank',
      message: 'output column blank has no numbers',
    });
    expect(caught(() => requireOutputNumbers(table, 'grade')).message).toBe(
      'output column grade has no numbers (it was read as categorical)',
    );
    expect(caught(() => requireOutputNumbers(table, 'batch')).code).toBe('constant-column');
    expect(caught(() => requireOutputNumbers(table, 'yield')).code).toBe('unknown-column');
  });
});

describe('requireRowCount', () => {
  it('passes at the minimum and fails below it', () => {
    expect(() => requireRowCount(table, 3, 'Gaussian process')).not.toThrow();
    expect(caught(() => requireRowCount(table, 10, 'Neural network ensemble'))).toMatchObject({
      code: 'too-few-rows',
      message: 'Neural network ensemble needs at least 10 rows; the table has 3',
    });
  });
});
