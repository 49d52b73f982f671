import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleError } from './errors.ts';

afterEach(() => vi.restoreAllMocks());

describe('handleError', () => {
  it('returns nothing for a cancellation', () => {
    expect(handleError(new DOMException('stop', 'AbortError'), 'Training failed')).toBeNull();
  });

  it('shows an input error without logging it, and logs an unexpected one', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const input = Object.assign(new Error('Line 3 has 1 fields but the header (line 1) has 2'), { name: 'TableError' });
    expect(handleError(input, 'Could not read the table')).toBe('Could not read the table: Line 3 has 1 fields but the header (line 1) has 2');
    expect(log).not.toHaveBeenCalled();
    expect(handleError(new TypeError('x is undefined'), 'Training failed')).toBe('Training failed: x is undefined');
    expect(log).toHaveBeenCalledTimes(1);
  });
});
