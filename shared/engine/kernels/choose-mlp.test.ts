import { describe, expect, it } from 'vitest';
import { createChoosingMlpKernels, type KernelDecision, workloadKey } from './choose-mlp.ts';
import { type MlpEnsembleKernels, type MlpShape, mlpLayout, referenceMlpKernels } from './mlp-reference.ts';
import { seededFloat32 } from './self-test.ts';

const shape: MlpShape = { members: 4, inputs: 3, hidden: [8], targets: 1, activation: 'silu', loss: 'mse' };

/** The reference kernels under another name, advancing a fake clock by `cost` ms per training step. */
function timed(name: string, cost: number, clock: { t: number }, fail = false): MlpEnsembleKernels {
  return {
    ...referenceMlpKernels,
    name,
    trainStep(...args) {
      if (fail) throw new Error('device lost');
      clock.t += cost;
      referenceMlpKernels.trainStep(...args);
    },
  };
}

describe('automatic kernel choice', () => {
  it('keys workloads by shape and a power-of-two bucket of rows', () => {
    expect(workloadKey(shape, 700)).toBe('4m-3-8-1-silu-mse-r1024');
    expect(workloadKey(shape, 1024)).toBe('4m-3-8-1-silu-mse-r1024');
    expect(workloadKey(shape, undefined)).toBe('4m-3-8-1-silu-mse-rany');
  });

  it('calibrates once per workload within the budget and serves the fastest', () => {
    const clock = { t: 0 };
    const decisions: KernelDecision[] = [];
    const kernels = createChoosingMlpKernels([timed('slow', 5, clock), timed('fast', 1, clock), timed('broken', 1, clock, true)], {
      budgetMs: 150,
      now: () => clock.t,
      onDecision: (d) => decisions.push(d),
    });
    const params = seededFloat32(mlpLayout(shape).size, 1);
    const state = kernels.createState(shape, params, { rows: 100 });
    expect(decisions).toHaveLength(1);
    expect(decisions[0].chosen).toBe('fast');
    expect(decisions[0].key).toBe(workloadKey(shape, 100));
    const [slow, fast, broken] = decisions[0].timings;
    expect(fast.flopsPerSecond).toBeGreaterThan(4 * slow.flopsPerSecond);
    expect(broken.flopsPerSecond).toBe(0);
    // Each candidate stops once its share is spent (plus the block in flight: 4 steps here).
    expect(decisions[0].milliseconds).toBeLessThanOrEqual(150 + 4 * 5);
    // A second state of the same workload does not calibrate again, and the state works.
    kernels.dispose(kernels.createState(shape, params, { rows: 90 }));
    expect(decisions).toHaveLength(1);
    const x = seededFloat32(10 * 3, 2);
    const y = seededFloat32(10, 3);
    kernels.trainSteps(state, x, y, Int32Array.from({ length: 4 * 10 }, (_, q) => q % 10), 5, 2, 7, 1e-2, 0);
    expect(kernels.snapshot(state).step).toBe(2);
    kernels.dispose(state);
    expect(() => kernels.predict(state, x, 10)).toThrow(/not made by these kernels/);
  });

  it('uses remembered decisions and a forced kernel without measuring', () => {
    const clock = { t: 0 };
    const decisions: KernelDecision[] = [];
    const remembered = { [workloadKey(shape, 100)]: 'slow' };
    const kernels = createChoosingMlpKernels([timed('slow', 5, clock), timed('fast', 1, clock)], {
      remembered,
      now: () => clock.t,
      onDecision: (d) => decisions.push(d),
    });
    expect(kernels.choose(shape, { rows: 100 }).name).toBe('slow');
    expect(clock.t).toBe(0);
    expect(decisions).toHaveLength(0);
    expect(kernels.decisions()).toEqual([{ key: workloadKey(shape, 100), chosen: 'slow', timings: [], milliseconds: 0 }]);
    const forced = createChoosingMlpKernels([timed('slow', 5, clock), timed('fast', 1, clock)], { forced: 'slow', now: () => clock.t });
    expect(forced.name).toBe('slow');
    expect(forced.choose(shape, { rows: 5000 }).name).toBe('slow');
    expect(clock.t).toBe(0);
  });
});
