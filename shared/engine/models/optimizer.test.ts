import { describe, expect, it } from 'vitest';
import { minimizeBounded, minimizeLbfgs, type Objective } from './optimizer.ts';

const rosenbrock: Objective = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
};

describe('minimizeLbfgs', () => {
  it('finds the minimum (1, …, 1) of the Rosenbrock function', () => {
    const result = minimizeLbfgs(rosenbrock, [-1.2, 1, -1.2, 1, -1.2, 1], { gradientTolerance: 1e-9, functionTolerance: 0, maxIterations: 500 });
    expect(result.status).toBe('gradient');
    for (const xi of result.x) expect(xi).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
    expect(result.iterations).toBeLessThan(100);
  });

  it('solves a convex quadratic to rounding in a few more iterations than its dimension', () => {
    // f = ½ xᵀ A x − bᵀ x with A = diag(1..8); minimum at x = b / diag.
    const diag = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [1, -1, 2, -2, 3, -3, 4, -4];
    const f: Objective = (x, g) => {
      let value = 0;
      for (let i = 0; i < x.length; i++) {
        value += 0.5 * diag[i] * x[i] * x[i] - b[i] * x[i];
        g[i] = diag[i] * x[i] - b[i];
      }
      return value;
    };
    const result = minimizeLbfgs(f, new Float64Array(8), { gradientTolerance: 1e-10, functionTolerance: 0 });
    result.x.forEach((xi, i) => expect(xi).toBeCloseTo(b[i] / diag[i], 7));
    expect(result.iterations).toBeLessThanOrEqual(20);
  });

  it('steps back from points where the objective is undefined', () => {
    // −log(x) + x has its minimum at x = 1 and is undefined for x ≤ 0; a full step from 0.1 overshoots.
    const f: Objective = (x, g) => {
      g[0] = -1 / x[0] + 1;
      return x[0] > 0 ? -Math.log(x[0]) + x[0] : NaN;
    };
    const result = minimizeLbfgs(f, [0.05], { gradientTolerance: 1e-10 });
    expect(result.x[0]).toBeCloseTo(1, 8);
  });

  it('stops when aborted', () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => minimizeLbfgs(rosenbrock, [0, 0], { signal: controller.signal })).toThrow();
  });
});

describe('minimizeBounded', () => {
  it('stays inside the box and reaches a minimum that lies on a bound', () => {
    // (x − 3)² + (y + 1)² over [0, 2] × [−5, 5]: the minimum is at (2, −1).
    const f: Objective = (x, g) => {
      g[0] = 2 * (x[0] - 3);
      g[1] = 2 * (x[1] + 1);
      return (x[0] - 3) ** 2 + (x[1] + 1) ** 2;
    };
    const result = minimizeBounded(f, [1, 0], { lower: [0, -5], upper: [2, 5], gradientTolerance: 1e-10 });
    expect(result.x[0]).toBeLessThanOrEqual(2);
    expect(result.x[0]).toBeCloseTo(2, 4);
    expect(result.x[1]).toBeCloseTo(-1, 6);
  });
});
