import { describe, expect, it } from 'vitest';
import { parseAnalysisSpec } from '../../../shared/schema/analysis-spec.ts';
import { checkEquation, draftProblems, draftToSpec, mixtureEquation, quoteName, type AnalysisDraft } from './draft.ts';

function draft(): AnalysisDraft {
  const numeric = (name: string, min: number, max: number) => ({ name, kind: 'numeric' as const, fixed: false, min, max, integer: false, step: null, value: min, levels: [], allowed: [] });
  return {
    variables: [
      numeric('樹脂A(wt%)', 10, 85),
      numeric('樹脂B(wt%)', 6, 54),
      { ...numeric('硬化温度(℃)', 120, 160), step: 10 },
      { ...numeric('硬化時間(min)', 33, 120), integer: true },
      { ...numeric('x', 0, 1), fixed: true, value: 0.5 },
      { name: 'line', kind: 'categorical', fixed: false, min: 0, max: 0, integer: false, step: null, value: 'L1', levels: ['L1', 'L2', 'L3'], allowed: ['L1', 'L3'] },
    ],
    objectives: [
      { output: 'strength', goal: 'max', value: 0, low: 0, high: 0, weight: 1 },
      { output: 'cost', goal: 'range', value: 0, low: 100, high: 120, weight: 2 },
    ],
    equations: ['`樹脂A(wt%)` + `樹脂B(wt%)` <= 90', ' '],
    outputLimits: [{ output: 'strength', atLeast: 60, atMost: null }],
  };
}

describe('analysis drafts', () => {
  it('become the spec the engine reads', () => {
    const spec = parseAnalysisSpec(draftToSpec(draft()));
    expect(spec.variables).toEqual({
      '樹脂A(wt%)': { min: 10, max: 85 },
      '樹脂B(wt%)': { min: 6, max: 54 },
      '硬化温度(℃)': { min: 120, max: 160, step: 10 },
      '硬化時間(min)': { min: 33, max: 120, integer: true },
      line: { values: ['L1', 'L3'] },
    });
    expect(spec.fixed).toEqual({ x: 0.5 });
    expect(spec.objectives).toEqual([
      { output: 'strength', goal: 'max' },
      { output: 'cost', goal: 'range', min: 100, max: 120, weight: 2 },
    ]);
    expect(spec.constraints).toEqual(['`樹脂A(wt%)` + `樹脂B(wt%)` <= 90', 'strength >= 60']);
    expect(draftToSpec(draft(), { objectives: false }).objectives).toEqual([]);
  });

  it('check equations with the column of the mistake and unknown names', () => {
    const known = ['樹脂A(wt%)', '樹脂B(wt%)', 'cost'];
    expect(checkEquation(mixtureEquation(['樹脂A(wt%)', '樹脂B(wt%)']), known)).toBeNull();
    expect(checkEquation('`樹脂A(wt%)` + * 2 == 100', known)).toEqual({ message: 'Expected a number, a name or "(", found "*"', column: 14 });
    expect(checkEquation('cost + 2', known)?.message).toMatch(/comparison/);
    expect(checkEquation('cost <= 2 * 樹脂C', known)).toEqual({ message: 'unknown name "樹脂C"', column: 13, unknownName: '樹脂C' });
    expect(checkEquation('', known)).toBeNull();
  });

  it('list what stands in the way of a run', () => {
    const d = draft();
    expect(draftProblems(d, ['strength', 'cost'], { needObjectives: true })).toEqual([]);
    d.variables[0].min = 90;
    d.objectives[1].low = 130;
    d.equations[0] = 'nope >= 1';
    d.outputLimits[0].atLeast = null;
    expect(draftProblems(d, ['strength', 'cost'], { needObjectives: true })).toEqual([
      { where: 'variable', index: 0, code: 'minAboveMax' },
      { where: 'objective', index: 1, code: 'lowAboveHigh' },
      { where: 'equation', index: 0, code: 'formula', detail: '1: unknown name "nope"' },
      { where: 'limit', index: 0, code: 'emptyLimit' },
    ]);
  });

  it('quote names the parser would split', () => {
    expect(quoteName('cost')).toBe('cost');
    expect(quoteName('樹脂A')).toBe('樹脂A');
    expect(quoteName('コスト(円/kg)')).toBe('`コスト(円/kg)`');
  });
});
