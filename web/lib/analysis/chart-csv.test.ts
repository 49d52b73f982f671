import { describe, expect, it } from 'vitest';
import { dependenceCsv, gridCsv, predictedActualCsv, rankingCsv, sobolCsv } from './chart-csv.ts';

const lines = (csv: string) => csv.replace(/^\uFEFF/, '').trim().split('\r\n');

describe('chart CSVs', () => {
  it('lists predicted against actual per row', () => {
    expect(lines(predictedActualCsv([1, 2], [1.1, 1.9], [0.2, 0.3]))).toEqual(['row,actual,predicted,std', '1,1,1.1,0.2', '2,2,1.9,0.3']);
  });

  it('gives Sobol indices with both interval ends', () => {
    const csv = sobolCsv([{ variable: '充填剤(wt%)', first: 0.6, total: 0.8, firstInterval: [0.5, 0.7], totalInterval: [0.7, 0.9] }]);
    expect(lines(csv)).toEqual(['input,first,first_low,first_high,total,total_low,total_high', '充填剤(wt%),0.6,0.5,0.7,0.8,0.7,0.9']);
  });

  it('names the ranking and dependence columns', () => {
    expect(lines(rankingCsv([{ variable: 'a', value: 2 }], 'mean_abs_shap'))).toEqual(['input,mean_abs_shap', 'a,2']);
    expect(lines(dependenceCsv({ grid: [0, 1], mean: [5, 6], low: [4, 5], high: [6, 7] }, 'x'))).toEqual(['x,mean,low,high', '0,5,4,6', '1,6,5,7']);
  });

  it('flattens a grid with values[i * nB + j] at (a[i], b[j])', () => {
    expect(lines(gridCsv([10, 20], ['p', 'q'], [1, 2, 3, 4], 'A', 'B'))).toEqual(['A,B,value', '10,p,1', '10,q,2', '20,p,3', '20,q,4']);
  });
});
