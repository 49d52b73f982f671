import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpKernels, fitGp, gpFactory } from '../../../shared/engine/models/gp.ts';
import { createMatrix } from '../../../shared/engine/models/matrix.ts';
import { fitAuto } from '../../../shared/engine/models/auto.ts';
import { crossValidate } from '../../../shared/engine/validate/cross-validate.ts';
import { makeFriedman1 } from '../../../shared/engine/validate/synthetic.ts';
import { nodeGpKernels } from '../gp-kernels.ts';

let single: GpKernels;
let pooled: GpKernels;
let tiny: GpKernels;

beforeAll(async () => {
  single = await nodeGpKernels(1);
  // Three threads: jobs go round the calling thread and two peers.
  pooled = await nodeGpKernels(3);
  // Peers whose answer buffer is too small for any state: the calling thread fits those jobs itself.
  tiny = await nodeGpKernels(2, { answerBytes: () => 16 });
});

afterAll(() => {
  pooled?.pool?.close();
  tiny?.pool?.close();
});

const data = makeFriedman1(120, 5, 0.5, 4);
const jobs = [0, 1, 2, 3, 4].map((k) => {
  const rows = Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 5 !== k);
  return {
    x: createMatrix(rows.length, 5, Float64Array.from(rows.flatMap((i) => Array.from(data.x.data.subarray(i * 5, i * 5 + 5))))),
    y: createMatrix(rows.length, 1, Float64Array.from(rows, (i) => data.y.data[i])),
    seed: 10 + k,
  };
});

describe('Gaussian-process fits over worker threads', () => {
  it('gives, job for job and in order, the models one thread fits', () => {
    expect(single.pool).toBeUndefined();
    expect(pooled.pool?.workers).toBe(3);
    const options = { kernel: 'matern52' as const, ard: true };
    const fractions: number[] = [];
    const many = gpFactory(options, pooled).fitMany!(jobs, { onProgress: (f) => fractions.push(f) });
    expect(many).toHaveLength(5);
    jobs.forEach((job, j) => {
      const one = fitGp(job.x, job.y, options, { seed: job.seed }, single);
      expect(many[j].toJSON()).toEqual(one.toJSON());
      expect(many[j].predict(job.x).mean.data).toEqual(one.predict(job.x).mean.data);
    });
    expect(fractions).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('fits the jobs itself when a state does not fit the answer buffer', () => {
    const many = gpFactory({ ard: false }, tiny).fitMany!(jobs.slice(0, 2));
    expect(many[1].toJSON()).toEqual(fitGp(jobs[1].x, jobs[1].y, { ard: false }, { seed: jobs[1].seed }, single).toJSON());
  });

  it("passes a peer's error on to the caller", () => {
    const bad = { ...jobs[1], y: createMatrix(jobs[1].y.rows, 1, jobs[1].y.data.map((v, i) => (i === 3 ? Number.NaN : v))) };
    expect(() => gpFactory({}, pooled).fitMany!([jobs[0], bad])).toThrow(/Targets/);
    // The pool still works afterwards.
    expect(gpFactory({}, pooled).fitMany!(jobs.slice(0, 2))).toHaveLength(2);
  });

  it('cross-validates and runs auto to the same numbers as one thread', () => {
    const forFolds = { ard: true };
    expect(crossValidate(gpFactory(forFolds, pooled), data.x, data.y, { folds: 5, seed: 3 }).outputs).toEqual(
      crossValidate(gpFactory(forFolds, single), data.x, data.y, { folds: 5, seed: 3 }).outputs,
    );
    const auto = (kernels: GpKernels) =>
      fitAuto(data.x, data.y, { candidates: [gpFactory({ ard: false }, kernels), gpFactory({ ard: true }, kernels)], folds: 4, seed: 1 });
    const a = auto(pooled);
    const b = auto(single);
    expect(a.choices).toEqual(b.choices);
    expect(a.crossValidation['gp-rbf-ard'].outOfFold).toEqual(b.crossValidation['gp-rbf-ard'].outOfFold);
  });
});
