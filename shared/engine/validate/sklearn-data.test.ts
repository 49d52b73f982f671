import { describe, expect, it } from 'vitest';
import { NumpyRandomState, sklearnFriedman1, sklearnTestFolds } from './sklearn-data.ts';

// Values printed by numpy 1.x and scikit-learn on this machine (Debian's python3-sklearn).
describe("numpy's RandomState and scikit-learn's Friedman #1, rebuilt", () => {
  it('draws the doubles, normals and permutations numpy draws from seed 0', () => {
    const uniform = new NumpyRandomState(0);
    expect([uniform.randomDouble(), uniform.randomDouble(), uniform.randomDouble()]).toEqual([
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439,
    ]);
    const normal = new NumpyRandomState(0);
    const g = [normal.gauss(), normal.gauss(), normal.gauss()];
    [1.76405235, 0.40015721, 0.97873798].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 8));
    expect(Array.from(new NumpyRandomState(0).permutation(10))).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  });

  it('makes make_friedman1(1000, 10, noise=1, random_state=0) value for value', () => {
    const { x, y } = sklearnFriedman1(1000, 10, 1, 0);
    expect([x.rows, x.cols, y.rows]).toEqual([1000, 10, 1000]);
    expect(x.data[9999]).toBe(0.8135750799512289);
    expect(y.data[0]).toBeCloseTo(16.487671479678234, 12);
    expect(y.data[1]).toBeCloseTo(19.943129883587826, 12);
    expect(y.data[999]).toBeCloseTo(14.766192148537199, 12);
  });

  it("splits as KFold(5, shuffle=True, random_state=0)", () => {
    const folds = sklearnTestFolds(1000, 5);
    expect(folds.map((f) => f.length)).toEqual([200, 200, 200, 200, 200]);
    expect([...folds[0]].sort((a, b) => a - b).slice(0, 5)).toEqual([1, 5, 8, 14, 27]);
    expect([...folds[4]].sort((a, b) => a - b).slice(-3)).toEqual([976, 980, 983]);
    expect(new Set(folds.flat()).size).toBe(1000);
  });
});
