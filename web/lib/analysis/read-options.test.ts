import { describe, expect, it } from 'vitest';
import { columnUse, tableReadOptions, usableInputs, withColumnUse } from './read-options.ts';

describe('column use switches', () => {
  it('stores a kind different from the detected one, and drops it when switched back', () => {
    const categorical = withColumnUse({ encoding: 'shift_jis' }, 'grade', 'categorical', 'numeric');
    expect(categorical).toEqual({ encoding: 'shift_jis', kinds: { grade: 'categorical' } });
    expect(tableReadOptions(categorical)).toEqual({ encoding: 'shift_jis', kinds: { grade: 'categorical' } });
    expect(withColumnUse(categorical, 'grade', 'numeric', 'numeric')).toEqual({ encoding: 'shift_jis' });
  });

  it('ignores a column without changing its kind, and takes it back', () => {
    const before = { kinds: { grade: 'categorical' as const } };
    const ignored = withColumnUse(before, 'batch', 'ignore', 'numeric');
    expect(ignored).toEqual({ kinds: { grade: 'categorical' }, ignore: ['batch'] });
    expect(before).toEqual({ kinds: { grade: 'categorical' } });
    expect(columnUse(ignored, 'batch', 'numeric')).toBe('ignore');
    expect(columnUse(ignored, 'grade', 'categorical')).toBe('categorical');
    // The ignore list never reaches readTable: an ignored column is still read and shown.
    expect(tableReadOptions(ignored)).toEqual({ kinds: { grade: 'categorical' } });
    expect(withColumnUse(ignored, 'batch', 'identifier', 'numeric')).toEqual({ kinds: { grade: 'categorical', batch: 'identifier' } });
  });

  it('offers numeric and categorical columns as inputs, never IDs, constants, ignored columns or outputs', () => {
    const columns = [
      { name: 'id', kind: 'identifier' as const },
      { name: 'x', kind: 'numeric' as const },
      { name: 'grade', kind: 'categorical' as const },
      { name: 'batch', kind: 'numeric' as const },
      { name: 'site', kind: 'constant' as const },
      { name: 'y', kind: 'numeric' as const },
    ];
    expect(usableInputs(columns, { ignore: ['batch'] }, ['y'])).toEqual(['x', 'grade']);
  });
});
