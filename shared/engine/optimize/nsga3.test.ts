import { describe, expect, it } from 'vitest';
import { hypervolume } from './hypervolume.ts';
import { divisionsFor, referenceDirections, runNsga3 } from './nsga3.ts';
import { optimize } from './optimize.ts';
import { dtlz2 } from './test-problems.ts';

describe('reference directions', () => {
  it('spans the simplex with C(m + p − 1, p) Das–Dennis points', () => {
    const directions = referenceDirections(3, 12);
    expect(directions.length / 3).toBe(91);
    for (let i = 0; i < 91; i++) {
      const row = directions.subarray(3 * i, 3 * i + 3);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 12);
      for (const x of row) expect(Math.abs(x * 12 - Math.round(x * 12))).toBeLessThan(1e-9);
    }
    expect(referenceDirections(5, 6).length / 5).toBe(210);
    expect(divisionsFor(3, 91)).toBe(12);
    expect(divisionsFor(4, 120)).toBe(7);
    expect(divisionsFor(3, 90)).toBe(11);
  });
});

describe('NSGA-III', () => {
  it('converges on DTLZ2 with three objectives and spreads over the front', async () => {
    const problem = dtlz2(3);
    const result = await runNsga3(problem, { generations: 200, seed: 1 });
    expect(result.size).toBe(92);
    const front: number[] = [];
    for (let i = 0; i < result.size; i++) {
      const f = result.objectives.subarray(3 * i, 3 * i + 3);
      // Every point lies on (or just outside) the unit sphere.
      expect(Math.hypot(f[0], f[1], f[2])).toBeLessThan(1.05);
      if (result.rank[i] === 0) front.push(...f);
    }
    // 91 well-spread points of the sphere reach about 0.74 of the true 0.8074.
    expect(hypervolume(front, 3, problem.reference)).toBeGreaterThan(0.72);
  });

  it('handles five objectives and is chosen automatically from four', async () => {
    const problem = dtlz2(5);
    const result = await runNsga3(problem, { populationSize: 100, generations: 60, seed: 2 });
    let mean = 0;
    for (let i = 0; i < result.size; i++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s += result.objectives[5 * i + j] ** 2;
      mean += Math.sqrt(s) / result.size;
    }
    expect(mean).toBeLessThan(1.1);
    const spec = {
      variables: ['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'continuous' as const, min: 0, max: 1 })),
      objectives: ['a', 'b', 'c', 'd'].map((expression) => ({ expression, goal: 'max' as const })),
      constraints: ['a + b + c + d == 1'],
    };
    const picked = await optimize(spec, undefined, { populationSize: 40, generations: 10, seed: 1 });
    expect(picked.algorithm).toBe('nsga3');
    for (const s of picked.solutions) {
      const total = ['a', 'b', 'c', 'd'].reduce((sum, k) => sum + (s.inputs[k] as number), 0);
      expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-9);
    }
  });
});
