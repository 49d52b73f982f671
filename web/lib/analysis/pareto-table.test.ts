import { describe, expect, it } from 'vitest';
import { paretoCsv, sortedIndices } from './pareto-table.ts';
import type { OptimizeResult } from './results.ts';

const result: OptimizeResult = {
  algorithm: 'nsga2',
  objectives: ['s', 'c'],
  goals: ['max', 'min'],
  inputs: ['a', 'b'],
  outputs: ['s', 'c'],
  pareto: [
    { inputs: { a: 60, b: 40 }, outputs: { s: 70, c: 130 }, std: { s: 1, c: 2 }, objectives: [70, 130], inDomain: true },
    { inputs: { a: 30, b: 70 }, outputs: { s: 60, c: 110 }, std: { s: 1.5, c: 2.5 }, objectives: [60, 110], inDomain: false },
    { inputs: { a: 45, b: 55 }, outputs: { s: 65, c: 120 }, std: { s: 1.2, c: 2.2 }, objectives: [65, 120], inDomain: true },
  ],
  picked: 2,
  knee: 2,
  obstacle: null,
  constraints: [],
  evaluations: 100,
  evaluationsOutsideDomain: 0,
  seconds: 0.1,
};

describe('the Pareto table', () => {
  it('sorts by an output or input either way, ties by index', () => {
    expect(sortedIndices(result, { column: 'output', name: 'c' }, false)).toEqual([1, 2, 0]);
    expect(sortedIndices(result, { column: 'input', name: 'a' }, true)).toEqual([0, 2, 1]);
    expect(sortedIndices(result, { column: 'index' }, true)).toEqual([2, 1, 0]);
  });

  it('exports the rows in the order shown', () => {
    expect(paretoCsv(result, [1, 0])).toBe('\uFEFFsolution,a,b,s,s_std,c,c_std,in_domain\r\n2,30,70,60,1.5,110,2.5,false\r\n1,60,40,70,1,130,2,true\r\n');
  });
});
