import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitBayesianRidge } from './bayesian-ridge.ts';
import { readTable } from './read.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

describe('symmetricEigen', () => {
  it('finds the eigenpairs of a matrix with a known spectrum', () => {
    // [[2, 1, 0], [1, 2, 1], [0, 1, 2]] has eigenvalues 2 − √2, 2, 2 + √2.
    const m = Float64Array.from([2, 1, 0, 1, 2, 1, 0, 1, 2]);
    const { values, vectors } = symmetricEigen(m, 3);
    expect([...values].sort((a, b) => a - b).map((v) => v.toFixed(12))).toEqual(
      [2 - Math.SQRT2, 2, 2 + Math.SQRT2].map((v) => v.toFixed(12)),
    );
    for (let i = 0; i < 3; i++) {
      for (let r = 0; r < 3; r++) {
        let mv = 0;
        for (let k = 0; k < 3; k++) mv += m[r * 3 + k] * vectors[k * 3 + i];
        expect(mv).toBeCloseTo(values[i] * vectors[r * 3 + i], 12);
      }
    }
  });
});

describe('fitBayesianRidge', () => {
  it('matches scikit-learn 1.2.1 BayesianRidge on airquality: Ozone ~ Solar.R + Wind + Temp', () => {
    const { table } = readTable(new Uint8Array(readFileSync(new URL('../../../../shared/data/airquality.csv', import.meta.url))));
    const get = (name: string): Float64Array => {
      const c = table.columns.find((col) => col.name === name);
      if (c?.kind !== 'numeric') throw new Error(name);
      return c.values;
    };
    const [ozone, solar, wind, temp] = ['Ozone', 'Solar.R', 'Wind', 'Temp'].map(get);
    const rows = [...Array(table.rowCount).keys()].filter((i) => !Number.isNaN(ozone[i]) && !Number.isNaN(solar[i]));
    expect(rows.length).toBe(111);
    const x = Float64Array.from(rows.flatMap((i) => [solar[i], wind[i], temp[i]]));
    const y = Float64Array.from(rows, (i) => ozone[i]);
    const fit = fitBayesianRidge(x, rows.length, 3, y);
    // BayesianRidge().fit(X, y) in scikit-learn 1.2.1 gives these (coef_, intercept_, alpha_, lambda_, n_iter_).
    const expected = [0.06018766689393615, -3.057266094564322, 1.6845402337784714];
    fit.coef.forEach((c, j) => expect(c).toBeCloseTo(expected[j], 10));
    expect(fit.intercept).toBeCloseTo(-69.68065628414053, 8);
    expect(fit.alpha).toBeCloseTo(0.002248169210690227, 12);
    expect(fit.lambda).toBeCloseTo(0.23744324721024454, 9);
    expect(fit.iterations).toBe(6);
  });

  it('returns the mean when there are no predictors', () => {
    const fit = fitBayesianRidge(new Float64Array(0), 4, 0, Float64Array.from([1, 2, 3, 6]));
    expect(fit.intercept).toBe(3);
    expect(fit.coef.length).toBe(0);
  });
});
