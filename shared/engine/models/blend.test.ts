import { describe, expect, it } from 'vitest';
import type { CrossValidationResult } from '../validate/cross-validate.ts';
import { planFolds } from '../validate/folds.ts';
import { rSquared } from '../validate/metrics.ts';
import { type AutoState, BLEND, BLEND_MIN_GAIN, autoFromJSON, fitAuto } from './auto.ts';
import { BLEND_ROUNDS, crossValidateBlend, mixMoments, nestedBlendWeights, selectBlendWeights } from './blend.ts';
import { type Matrix, createMatrix } from './matrix.ts';
import { createRng } from './rng.ts';
import type { ModelFactory, Predictor, SerializedModel } from './types.ts';

describe('selectBlendWeights', () => {
  it('gives all the weight to a candidate that is exact, and none to one that is worse', () => {
    const target = [1, 2, 3, 4, 5];
    const weights = selectBlendWeights(target, [[0, 0, 0, 0, 0], [1, 2, 3, 4, 5], [2, 2, 2, 2, 2]]);
    expect(weights).toEqual([0, 1, 0]);
  });

  it('splits the weight evenly between two candidates with independent errors of the same size', () => {
    // Errors +e and −e on alternate rows: the average is exact, so the best blend is half and half.
    const target = Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const a = target.map((t, i) => t + (i % 2 === 0 ? 0.3 : -0.3));
    const b = target.map((t, i) => t - (i % 2 === 0 ? 0.3 : -0.3));
    const weights = selectBlendWeights(target, [a, b]);
    expect(weights).toEqual([0.5, 0.5]);
    expect(weights.reduce((s, w) => s + w, 0)).toBe(1);
    // Weights are multiples of 1 / BLEND_ROUNDS.
    for (const w of weights) expect(Math.abs(w * BLEND_ROUNDS - Math.round(w * BLEND_ROUNDS))).toBeLessThan(1e-12);
  });

  it('looks only at the rows it is given', () => {
    // a is exact on rows 0–2 only, b on rows 3–5 only.
    const target = [0, 0, 0, 0, 0, 0];
    const a = [0, 0, 0, 9, 9, 9];
    const b = [9, 9, 9, 0, 0, 0];
    expect(selectBlendWeights(target, [a, b], [0, 1, 2])).toEqual([1, 0]);
    expect(selectBlendWeights(target, [a, b], [3, 4, 5])).toEqual([0, 1]);
  });
});

describe('mixMoments', () => {
  it('gives one member of weight 1 back unchanged', () => {
    expect(mixMoments([0, 1], [5, 2.5], [9, 0.7])).toEqual({ mean: 2.5, std: 0.7 });
  });

  it('adds the spread of the members around the mean to their variance', () => {
    // Two equal halves at ±1 with std 1 each: variance 1 + 1 = 2.
    const { mean, std } = mixMoments([0.5, 0.5], [-1, 1], [1, 1]);
    expect(mean).toBe(0);
    expect(std).toBeCloseTo(Math.SQRT2, 14);
  });
});

/** A cross-validation result holding the given out-of-fold means (one output, one repeat, std 1). */
function resultOf(model: string, means: number[]): CrossValidationResult {
  const n = means.length;
  return {
    model,
    foldCount: 2,
    repeats: 1,
    leaveOneOut: false,
    outOfFold: [{
      mean: createMatrix(n, 1, Float64Array.from(means)),
      std: createMatrix(n, 1, new Float64Array(n).fill(1)),
      stdLatent: createMatrix(n, 1, new Float64Array(n).fill(0.5)),
    }],
    outputs: [],
  };
}

describe('crossValidateBlend', () => {
  it('chooses each fold\'s weights without that fold\'s rows', () => {
    // Fold 0 tests rows 0–2, fold 1 rows 3–5. a is exact on fold 0's rows and b on fold 1's, so
    // the weights for fold 0 (chosen on rows 3–5) are all b's and those for fold 1 all a's: the
    // nested blend is wrong everywhere, although either candidate is right on half the rows.
    const plan = planFolds(6, { testFolds: [[0, 1, 2], [3, 4, 5]] });
    const y = createMatrix(6, 1, new Float64Array(6));
    const a = [0, 0, 0, 9, 9, 9];
    const b = [9, 9, 9, 0, 0, 0];
    expect(nestedBlendWeights(plan, y.data, [[a], [b]])).toEqual([[0, 1], [1, 0]]);
    const { result, weights } = crossValidateBlend(plan, y, [resultOf('a', a), resultOf('b', b)]);
    expect(Array.from(result.outOfFold[0].mean.data)).toEqual([9, 9, 9, 9, 9, 9]);
    expect(result.outputs[0].rmse).toBe(9);
    expect(result.model).toBe(BLEND);
    // On all rows, the half-and-half mix has the least error.
    expect(weights).toEqual([[0.5, 0.5]]);
  });
});

/**
 * A fixed function of the inputs that ignores the training rows: x0 plus `noise` times input
 * column `column` (std 0.5 everywhere). Its state names the column, so a test reader can rebuild it.
 */
function fixedFactory(name: string, column: number, noise: number): ModelFactory {
  return { name, fit: () => fixedPredictor(column, noise) };
}

/** x0 + one·x1 + extra·x2: an error that fixedFactory(·, 1, 1)'s is most of. */
function shifted(one: number, extra: number): Predictor {
  return {
    kind: 'shifted',
    inputs: 3,
    outputs: 1,
    toJSON: () => ({ kind: 'shifted', version: 1 }),
    predict: (x: Matrix) => {
      const mean = createMatrix(x.rows, 1);
      for (let i = 0; i < x.rows; i++) mean.data[i] = x.data[i * 3] + one * x.data[i * 3 + 1] + extra * x.data[i * 3 + 2];
      return { mean, std: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(0.5)), stdLatent: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(0.2)) };
    },
  };
}

function fixedPredictor(column: number, noise: number): Predictor {
  return {
    kind: 'fixed',
    inputs: 3,
    outputs: 1,
    toJSON: () => ({ kind: 'fixed', version: 1, column, noise }) as SerializedModel,
    predict: (x: Matrix) => {
      const mean = createMatrix(x.rows, 1);
      for (let i = 0; i < x.rows; i++) mean.data[i] = x.data[i * 3] + noise * x.data[i * 3 + column];
      return { mean, std: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(0.5)), stdLatent: createMatrix(x.rows, 1, new Float64Array(x.rows).fill(0.2)) };
    },
  };
}

describe('auto with a blend', () => {
  // y = x0; candidate a predicts x0 + x1 and b x0 + x2, where x1 and x2 are independent: each
  // alone has error variance 1, their average 1/2, so the blend beats both.
  const rng = createRng(11);
  const rows = 200;
  const x = createMatrix(rows, 3);
  const y = createMatrix(rows, 1);
  for (let i = 0; i < rows; i++) {
    x.data.set([2 * rng.normal(), rng.normal(), rng.normal()], i * 3);
    y.data[i] = x.data[i * 3];
  }
  const candidates = [fixedFactory('a', 1, 1), fixedFactory('b', 2, 1), fixedFactory('worse', 1, 3)];

  it('chooses the blend when its nested cross-validation beats every candidate, and says so', () => {
    const result = fitAuto(x, y, { candidates, seed: 2 });
    const choice = result.choices[0];
    expect(choice.chosen).toBe(BLEND);
    expect(choice.blend?.map((m) => m.name)).toEqual(['a', 'b']);
    for (const member of choice.blend!) expect(member.weight).toBeGreaterThan(0.3);
    expect(choice.blend!.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    expect(choice.reason).toMatch(/^a blend of a \(0\.\d\d\), b \(0\.\d\d\) has the highest cross-validated R²/);
    const blendScore = choice.scores.find((s) => s.name === BLEND)!;
    const a = choice.scores.find((s) => s.name === 'a')!;
    expect(blendScore.r2).toBeGreaterThan(a.r2 + 0.05);
    // The out-of-fold predictions reported are the blend's.
    expect(rSquared(y.data, result.outOfFold.mean.data)).toBeCloseTo(blendScore.r2, 10);
  });

  it('predicts the weighted mean with the mixture std, and round-trips as a version 2 file', () => {
    const result = fitAuto(x, y, { candidates, seed: 2 });
    const [wa, wb] = result.choices[0].blend!.map((m) => m.weight);
    const probe = createMatrix(2, 3, Float64Array.from([1, 2, -1, 0, 0.5, 0.5]));
    const p = result.predictor.predict(probe);
    const scale = result.choices[0].calibration.scale;
    expect(p.mean.data[0]).toBeCloseTo(1 + wa * 2 + wb * -1, 12);
    // Members at 3 and 0 (std 0.5): variance 0.25 + wa·wb·3².
    expect(p.std.data[0]).toBeCloseTo(Math.sqrt(0.25 + wa * wb * 9) * scale, 12);
    expect(p.mean.data[1]).toBeCloseTo(0.5, 12);
    expect(p.std.data[1]).toBeCloseTo(0.5 * scale, 12);
    const state = JSON.parse(JSON.stringify(result.predictor)) as AutoState;
    expect(state.version).toBe(2);
    const restored = autoFromJSON(state, (part) => {
      const { column, noise } = part as unknown as { column: number; noise: number };
      return fixedPredictor(column, noise);
    });
    const q = restored.predict(probe);
    expect(Array.from(q.mean.data)).toEqual(Array.from(p.mean.data));
    expect(Array.from(q.std.data)).toEqual(Array.from(p.std.data));
    // Weights that do not sum to 1 are refused.
    const broken = { ...state, parts: state.parts.map((part) => ({ ...part, weights: part.weights!.map(() => 0.4) })) };
    expect(() => autoFromJSON(broken, () => fixedPredictor(1, 1))).toThrow(/sum to 1/);
  });

  it('keeps the single best candidate when blending is off or does not help', () => {
    const alone = fitAuto(x, y, { candidates, seed: 2, blend: false }).choices[0];
    const best = alone.scores.reduce((p, s) => (s.r2 > p.r2 ? s : p));
    expect(['a', 'b']).toContain(alone.chosen);
    expect(alone.chosen).toBe(best.name);
    expect(alone.scores.some((s) => s.name === BLEND)).toBe(false);
    // An exact candidate leaves nothing for a blend to add.
    const exact = fixedFactory('exact', 1, 0);
    const result = fitAuto(x, y, { candidates: [...candidates, exact], seed: 2 });
    expect(result.choices[0].chosen).toBe('exact');
    expect(JSON.parse(JSON.stringify(result.predictor)).version).toBe(1);
  });

  it('keeps the single candidate when the blend removes less than BLEND_MIN_GAIN of its error', () => {
    // a errs by x1, near by 0.98·x1 + 0.2·x2 (the same size, correlation 0.98): their average errs
    // by 1 % less, which beats either but stays under BLEND_MIN_GAIN.
    const near: ModelFactory = { name: 'near', fit: () => shifted(0.98, 0.2) };
    const result = fitAuto(x, y, { candidates: [fixedFactory('a', 1, 1), near], seed: 2 });
    const { chosen, scores } = result.choices[0];
    const single = scores.filter((s) => s.name !== BLEND).reduce((p, s) => (s.r2 > p.r2 ? s : p));
    expect(chosen).toBe(single.name);
    const blend = scores.find((s) => s.name === BLEND);
    // The blend was offered and scores higher (a rule without the minimum gain would take it)...
    expect(blend).toBeDefined();
    expect(blend!.r2).toBeGreaterThan(single.r2);
    // ...but removes less than BLEND_MIN_GAIN of the error.
    expect(1 - blend!.r2).toBeGreaterThan((1 - BLEND_MIN_GAIN) * (1 - single.r2));
  });
});
