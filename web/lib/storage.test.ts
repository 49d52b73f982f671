import { describe, expect, it } from 'vitest';
import { formatBytes } from './storage.ts';

describe('storage use', () => {
  it('formats bytes in decimal units with the locale', () => {
    expect(formatBytes(0, 'en')).toBe('0 byte');
    expect(formatBytes(999, 'en')).toBe('999 byte');
    expect(formatBytes(1_500, 'en')).toBe('1.5 kB');
    expect(formatBytes(12_345_678, 'en')).toBe('12.3 MB');
    // German puts a no-break space between number and unit.
    expect(formatBytes(2_000_000_000, 'de').replace(/\s/g, ' ')).toBe('2 GB');
    expect(formatBytes(12_345_678, 'de').replace(/\s/g, ' ')).toBe('12,3 MB');
  });
});
