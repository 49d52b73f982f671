import { describe, expect, it } from 'vitest';
import { verdictOf } from './verdict.ts';

describe('verdictOf', () => {
  it('grades by cross-validated R² and the number of rows', () => {
    expect(verdictOf(0.93, 200)).toBe('reliable');
    expect(verdictOf(0.93, 20)).toBe('fewRows');
    expect(verdictOf(0.65, 200)).toBe('careful');
    expect(verdictOf(0.49, 200)).toBe('poor');
    expect(verdictOf(Number.NaN, 200)).toBe('poor');
  });
});
