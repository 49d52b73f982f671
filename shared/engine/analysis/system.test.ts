import { describe, expect, it } from 'vitest';
import { createTable } from '../table/table.ts';
import { loadModel } from '../train/predict.ts';
import { trainModel } from '../train/train.ts';
import { createSystem, SystemError } from './system.ts';

// Two stages of a process: stage 1 turns x into y = 2x + 1, stage 2 turns y into z = 3y − 4.
const xs = Float64Array.from({ length: 30 }, (_, i) => i / 3);
const stage1 = loadModel(
  trainModel(createTable([{ name: 'x', kind: 'numeric', values: xs }, { name: 'y', kind: 'numeric', values: xs.map((x) => 2 * x + 1) }]), {
    outputs: ['y'],
    model: 'linear',
  }).modelFile,
);
const ys = Float64Array.from({ length: 30 }, (_, i) => i);
const stage2 = loadModel(
  trainModel(createTable([{ name: 'y', kind: 'numeric', values: ys }, { name: 'z', kind: 'numeric', values: ys.map((y) => 3 * y - 4) }]), {
    outputs: ['z'],
    model: 'linear',
  }).modelFile,
);

describe('createSystem', () => {
  it('chains models in dependency order, whatever order they are given in, and adds formulas', () => {
    const system = createSystem(
      [
        { label: 'stage2.json', model: stage2 },
        { label: 'stage1.json', model: stage1 },
      ],
      { cost: 'z / 10 + x' },
      ['x'],
    );
    expect(system.requiredInputs).toEqual(['x']);
    const result = system.evaluate({ x: Float64Array.from([1, 4]) }, 2);
    // z = 3(2x + 1) − 4 = 6x − 1
    expect(result.mean.y[0]).toBeCloseTo(3, 3);
    expect(result.mean.z[0]).toBeCloseTo(5, 3);
    expect(result.mean.z[1]).toBeCloseTo(23, 3);
    expect(result.mean.cost[1]).toBeCloseTo(23 / 10 + 4, 3);
    expect(result.std.z[0]).toBeGreaterThanOrEqual(0);
    expect(result.inDomain).toEqual([true, true]);
  });

  it('says which input is missing, and refuses loops and outputs computed twice', () => {
    const system = createSystem([{ label: 'stage2.json', model: stage2 }], {}, []);
    expect(() => system.evaluate({}, 1)).toThrow(/"y" is needed by stage2.json: give it as a variable or a fixed value/);
    expect(() => createSystem([], { a: 'b + 1', b: 'a + 1' })).toThrow(SystemError);
    expect(() => createSystem([{ label: 'one.json', model: stage1 }], { y: 'x' }, ['x'])).toThrow(/"y" is computed twice/);
  });
});
