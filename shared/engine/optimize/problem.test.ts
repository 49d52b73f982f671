import { describe, expect, it } from 'vitest';
import { kneeSolution, optimize, pickSolution, queryPareto } from './optimize.ts';
import { compileProblem, ProblemError, type BatchEvaluator, type ProblemSpec } from './problem.ts';

const mixture: ProblemSpec = {
  variables: [
    { name: 'A', type: 'continuous', min: 10, max: 60 },
    { name: 'B', type: 'continuous', min: 0, max: 40 },
    { name: 'C', type: 'continuous', min: 5, max: 30 },
    { name: 'D', type: 'continuous', min: 0, max: 50 },
  ],
  outputs: ['strength'],
  objectives: [
    { expression: '3*A + 2*B + 5*C + D', goal: 'min', name: 'cost' },
    { expression: 'strength', goal: 'max' },
  ],
  constraints: ['A + B + C + D == 100', 'A <= 2*B'],
};

// A stand-in for a trained model: one call per population, asynchronous like a worker.
const strengthModel: BatchEvaluator = async ([a, b, c, d], n) => {
  const strength = new Float64Array(n);
  for (let i = 0; i < n; i++) strength[i] = (a[i] * b[i]) / 100 + 5 * Math.sqrt(c[i]) - 0.1 * d[i];
  return { mean: { strength } };
};

describe('mixture with a linear equality and an inequality', () => {
  it('returns only solutions that meet every constraint', async () => {
    let calls = 0;
    const counted: BatchEvaluator = (columns, n) => {
      calls++;
      return strengthModel(columns, n);
    };
    const result = await optimize(mixture, counted, { populationSize: 60, generations: 60, seed: 11 });
    expect(result.obstacle).toBeNull();
    expect(result.solutions.length).toBeGreaterThan(10);
    // One batch per generation, the initial one, and the final re-evaluation.
    expect(calls).toBe(62);
    expect(result.constraints.map((c) => c.handling)).toEqual(['repair', 'ranking']);
    for (const { inputs } of result.solutions) {
      const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((k) => inputs[k] as number);
      expect(Math.abs(a + b + c + d - 100)).toBeLessThanOrEqual(1e-9);
      expect(a - 2 * b).toBeLessThanOrEqual(1e-9);
      expect(a).toBeGreaterThanOrEqual(10);
      expect(a).toBeLessThanOrEqual(60);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThanOrEqual(40);
      expect(c).toBeGreaterThanOrEqual(5);
      expect(c).toBeLessThanOrEqual(30);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(50);
    }
  });

  it('lets the user pick from the set: knee, weights, ε-constraint', async () => {
    const result = await optimize(mixture, strengthModel, { populationSize: 40, generations: 40, seed: 3 });
    const costs = result.solutions.map((s) => s.objectives[0]);
    const cheapest = Math.min(...costs);
    expect(pickSolution(result, mixture, [1, 0])?.objectives[0]).toBe(cheapest);
    expect(kneeSolution(result)).not.toBeNull();
    // "Least cost with strength at least X", checked against a scan of the set.
    const strengths = result.solutions.map((s) => s.outputs.strength);
    const bar = (Math.min(...strengths) + Math.max(...strengths)) / 2;
    const answer = queryPareto(result, { name: 'cost', sense: 'min', where: [{ name: 'strength', atLeast: bar }] });
    const qualifying = result.solutions.filter((s) => s.outputs.strength >= bar).map((s) => s.objectives[0]);
    expect(answer?.objectives[0]).toBe(Math.min(...qualifying));
    expect(queryPareto(result, { name: 'cost', sense: 'min', where: [{ name: 'strength', atLeast: 1e9 }] })).toBeNull();
  });

  it('is deterministic for a seed', async () => {
    const run = () => optimize(mixture, strengthModel, { populationSize: 20, generations: 10, seed: 9 });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.solutions).toEqual(b.solutions);
  });
});

describe('discrete variables', () => {
  const spec: ProblemSpec = {
    variables: [
      { name: 'n', type: 'integer', min: 1, max: 5 },
      { name: 's', type: 'stepped', min: 0.1, max: 1, step: 0.1 },
      { name: 'catalyst', type: 'categorical', values: ['Pt', 'Pd', 'Ni'] },
      { name: 'load', type: 'categorical', values: [0.5, 2, 8] },
      { name: 'x', type: 'continuous', min: 0, max: 1 },
      { name: 'pressure', type: 'fixed', value: 3 },
    ],
    outputs: ['y1', 'y2'],
    objectives: [
      { expression: 'y1', goal: 'min' },
      { expression: 'y2', goal: 'target', target: 2 },
    ],
    constraints: ['n + 10*s >= 4'],
  };
  const evaluator: BatchEvaluator = ([n, s, catalyst, load, x, pressure], count) => {
    const y1 = new Float64Array(count);
    const y2 = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      expect(pressure[i]).toBe(3);
      y1[i] = (n[i] - 3) ** 2 + s[i] + [0, 0.5, 1][catalyst[i]] + x[i];
      y2[i] = load[i] * (1 - x[i]) + s[i];
    }
    return { mean: { y1, y2 } };
  };

  it('takes only allowed values', async () => {
    const result = await optimize(spec, evaluator, { populationSize: 40, generations: 30, seed: 4 });
    expect(result.solutions.length).toBeGreaterThan(0);
    for (const { inputs } of result.solutions) {
      expect([1, 2, 3, 4, 5]).toContain(inputs.n);
      // Exact decimals: 0.3, never 0.30000000000000004.
      expect([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]).toContain(inputs.s);
      expect(['Pt', 'Pd', 'Ni']).toContain(inputs.catalyst);
      expect([0.5, 2, 8]).toContain(inputs.load);
      expect(inputs.pressure).toBe(3);
      expect((inputs.n as number) + 10 * (inputs.s as number)).toBeGreaterThanOrEqual(4);
    }
    // The best y1 needs n = 3, s = 0.1, Pt and x = 0.
    const best = pickSolution(result, spec, [1, 0]);
    expect(best?.inputs).toMatchObject({ n: 3, s: 0.1, catalyst: 'Pt' });
  });
});

describe('infeasible problems', () => {
  it('names a constraint the bounds rule out, before evaluating anything', async () => {
    const spec: ProblemSpec = {
      variables: [
        { name: 'A', type: 'continuous', min: 0, max: 10 },
        { name: 'B', type: 'continuous', min: 0, max: 10 },
      ],
      objectives: [{ expression: 'A', goal: 'min' }],
      constraints: ['A >= 1', 'A + B == 50'],
    };
    const result = await optimize(spec, undefined, { seed: 1 });
    expect(result.solutions).toEqual([]);
    expect(result.evaluations).toBe(0);
    expect(result.obstacle?.constraint).toBe('A + B == 50');
    expect(result.obstacle?.message).toContain('[-50, -30]');
  });

  it('names the constraint that stays violated after a run', async () => {
    const spec: ProblemSpec = {
      variables: [{ name: 'x', type: 'continuous', min: 0, max: 3 }],
      outputs: ['y'],
      objectives: [{ expression: 'y', goal: 'max' }],
      constraints: ['x >= 1', 'y >= 10'],
    };
    const square: BatchEvaluator = ([x], n) => ({ mean: { y: Float64Array.from({ length: n }, (_, i) => x[i] * x[i]) } });
    const result = await optimize(spec, square, { populationSize: 20, generations: 15, seed: 2 });
    expect(result.solutions).toEqual([]);
    expect(result.obstacle?.constraint).toBe('y >= 10');
    expect(result.obstacle?.message).toMatch(/"y >= 10" is the obstacle: 100% of the final population/);
    const report = result.constraints.find((c) => c.constraint === 'y >= 10');
    // The best anyone gets is x = 3, y = 9: one short of 10.
    expect(report?.smallestViolation).toBeCloseTo(1, 3);
  });
});

describe('robustness and problem errors', () => {
  it('trades mean against spread with k', async () => {
    // y = 1 + x with std 2x on x ∈ [0, 1]: the plain maximum is x = 1; with k = 1 the robust
    // value 1 + x − 2x is best at x = 0.
    const spec = (k: number): ProblemSpec => ({
      variables: [{ name: 'x', type: 'continuous', min: 0, max: 1 }],
      outputs: ['y'],
      objectives: [{ expression: 'y', goal: 'max' }],
      robustness: { k },
    });
    const model: BatchEvaluator = ([x], n) => ({
      mean: { y: Float64Array.from({ length: n }, (_, i) => 1 + x[i]) },
      std: { y: Float64Array.from({ length: n }, (_, i) => 2 * x[i]) },
    });
    const plain = await optimize(spec(0), model, { populationSize: 12, generations: 20, seed: 1 });
    const robust = await optimize(spec(1), model, { populationSize: 12, generations: 20, seed: 1 });
    expect(plain.solutions[0].inputs.x).toBeCloseTo(1, 3);
    expect(robust.solutions[0].inputs.x).toBeCloseTo(0, 3);
    expect(robust.solutions[0].outputStd.y).toBeCloseTo(0, 3);
  });

  it('points at the mistake in a spec', () => {
    const base: ProblemSpec = {
      variables: [{ name: 'A', type: 'continuous', min: 0, max: 1 }],
      objectives: [{ expression: 'A', goal: 'min' }],
    };
    const errorOf = (spec: ProblemSpec): ProblemError => {
      try {
        compileProblem(spec);
      } catch (error) {
        if (error instanceof ProblemError) return error;
        throw error;
      }
      throw new Error('compiled without error');
    };
    const syntax = errorOf({ ...base, constraints: ['A <= ', 'A >= 0'] });
    expect([syntax.path, syntax.column]).toEqual(['constraints[0]', 6]);
    const unknown = errorOf({ ...base, constraints: ['A + Z <= 1'] });
    expect([unknown.path, unknown.column]).toEqual(['constraints[0]', 5]);
    expect(unknown.message).toMatch(/unknown name "Z"/);
    expect(errorOf({ ...base, variables: [{ name: 'A', type: 'continuous', min: 2, max: 1 }] }).path).toBe('variables[0]');
    expect(errorOf({ ...base, objectives: [{ expression: 'y', goal: 'min' }], outputs: ['y'] }).message).toMatch(/no evaluator/);
    expect(errorOf({ ...base, outputs: ['A'] }).message).toMatch(/used twice/);
  });
});
