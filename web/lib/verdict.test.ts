import { describe, expect, it } from 'vitest';
import { modelLabel, verdictOf } from './verdict.ts';

describe('verdictOf', () => {
  it('grades by cross-validated R² and the number of rows', () => {
    expect(verdictOf(0.93, 200)).toBe('reliable');
    expect(verdictOf(0.93, 20)).toBe('fewRows');
    expect(verdictOf(0.65, 200)).toBe('careful');
    expect(verdictOf(0.49, 200)).toBe('poor');
    expect(verdictOf(Number.NaN, 200)).toBe('poor');
  });
});

describe('modelLabel', () => {
  it('names a single model, or a blend with its weights', () => {
    expect(modelLabel({ model: 'gp-rbf-ard' })).toBe('gp-rbf-ard');
    expect(modelLabel({ model: 'blend', blend: [{ name: 'gp-rbf', weight: 0.65 }, { name: 'ridge', weight: 0.35 }] })).toBe('blend (gp-rbf 0.65, ridge 0.35)');
  });
});
