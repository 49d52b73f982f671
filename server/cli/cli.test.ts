// The analysis commands as a user runs them: a child process, files in, JSON and CSV out.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sigma-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sigma(...args: string[]) {
  return sigmaWith({}, ...args);
}

function sigmaWith(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, INIT_CWD: dir, ...env } });
}

// y = 3·x1 − 2·x2 + 5, an exact linear relation, with a sample-ID column to ignore.
const rows = Array.from({ length: 25 }, (_, i) => {
  const x1 = (i * 7) % 10;
  const x2 = (i * 3) % 8;
  return `S${i},${x1},${x2},${3 * x1 - 2 * x2 + 5}`;
});
writeFileSync(join(dir, 'runs.csv'), ['id,x1,x2,y', ...rows].join('\n'));
writeFileSync(join(dir, 'new.csv'), 'id,x1,x2\nN1,4,2\nN2,40,-30\n');

describe('sigma train and predict', () => {
  it('trains, prints one JSON object with the cross-validated metrics, and writes the model file', () => {
    const result = sigma('train', '--data', 'runs.csv', '--outputs', 'y', '--model', 'linear', '--seed', '1', '--out', 'model.json');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ model: 'model.json', rows: 25, dropped: 0, inputs: ['x1', 'x2'] });
    expect(answer.cv.y.r2).toBeGreaterThan(0.99999);
    expect(Object.keys(answer.cv.y)).toEqual(expect.arrayContaining(['r2', 'rmse', 'mae', 'coverage95']));
    expect(answer.seconds).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).format).toBe('sigma-model');
  });

  it('predicts with std and an in_domain flag per row', () => {
    const result = sigma('predict', '--model', 'model.json', '--data', 'new.csv', '--out', 'pred.csv');
    expect(result.status, result.stderr).toBe(0);
    const [header, first, second] = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('x1,x2,y,y_std,in_domain');
    const cells = first.split(',');
    expect(Number(cells[2])).toBeCloseTo(3 * 4 - 2 * 2 + 5, 3);
    expect(Number(cells[3])).toBeGreaterThanOrEqual(0);
    expect(cells[4]).toBe('true');
    expect(second.split(',')[4]).toBe('false');
  });

  it('fails with exit code 2 and a clear message on a usage mistake', () => {
    const missing = sigma('train', '--data', 'runs.csv', '--outputs', 'y');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--out is required');
    const unknown = sigma('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('refuses a data file over the configured limit', () => {
    const result = sigmaWith({ SIGMA_MAX_FILE_MB: '0.0001' }, 'train', '--data', 'runs.csv', '--outputs', 'y', '--out', 'x.json');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/The file has \d+ bytes; the limit is 104/);
  });

  it('names the missing column when an output does not exist', () => {
    const result = sigma('train', '--data', 'runs.csv', '--outputs', 'strength', '--out', 'x.json');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No column is named "strength"');
  });

  it('optimizes over a model and formulas, keeping a mixture at exactly 100', () => {
    const spec = {
      variables: { x1: { min: 0, max: 9 }, x2: { min: 0, max: 7 }, filler: { min: 0, max: 100 } },
      outputs: { cost: '2*x1 + x2 + 0.1*filler' },
      objectives: [
        { output: 'y', goal: 'max' },
        { output: 'cost', goal: 'min' },
      ],
      constraints: ['x1 + x2 + filler == 100', 'y >= 10'],
      algorithm: { population: 40, generations: 30, seed: 2 },
      reference: [0, 100],
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const result = sigma('optimize', '--spec', 'spec.json', '--model', 'model.json');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.pareto.length).toBeGreaterThan(3);
    for (const s of answer.pareto) {
      const { x1, x2, filler } = s.inputs;
      expect(Math.abs(x1 + x2 + filler - 100)).toBeLessThan(1e-9);
      // The model is y = 3·x1 − 2·x2 + 5; the formula is the cost.
      expect(s.outputs.y).toBeCloseTo(3 * x1 - 2 * x2 + 5, 2);
      expect(s.outputs.y).toBeGreaterThanOrEqual(10);
      expect(s.outputs.cost).toBeCloseTo(2 * x1 + x2 + 0.1 * filler, 9);
    }
    // The best y is 3·9 + 5 = 32 at x2 = 0.
    expect(Math.max(...answer.pareto.map((s: { outputs: { y: number } }) => s.outputs.y))).toBeGreaterThan(31.5);
    expect(answer.hypervolume).toBeGreaterThan(0);
    expect(answer.evaluations).toBeGreaterThan(1000);
  });

  it('names the constraint that makes a problem infeasible', () => {
    const spec = {
      variables: { a: { min: 0, max: 10 }, b: { min: 0, max: 10 } },
      outputs: { total: 'a + b' },
      objectives: [{ output: 'total', goal: 'min' }],
      constraints: ['a + b == 50'],
    };
    writeFileSync(join(dir, 'infeasible.json'), JSON.stringify(spec));
    const result = sigma('optimize', '--spec', 'infeasible.json');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.pareto).toEqual([]);
    expect(answer.obstacle.constraint).toBe('a + b == 50');
  });

  it('explains a formula with the Sobol indices it must have', () => {
    // y = 2a + b with a, b uniform on [0, 1]: Var = 4/12 + 1/12, so S_a = 0.8 and S_b = 0.2, no interaction.
    const spec = { variables: { a: { min: 0, max: 1 }, b: { min: 0, max: 1 } }, outputs: { y: '2*a + b' }, objectives: [{ output: 'y', goal: 'max' }] };
    writeFileSync(join(dir, 'explain.json'), JSON.stringify(spec));
    const result = sigma('explain', '--spec', 'explain.json', '--n', '512', '--pairs', 'a:b');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    const [a, b] = answer.sobol.y;
    expect(a.variable).toBe('a');
    expect(a.first).toBeCloseTo(0.8, 1);
    expect(a.total).toBeCloseTo(0.8, 1);
    expect(b.first).toBeCloseTo(0.2, 1);
    expect(answer.shap.ranking.y[0].variable).toBe('a');
    // One SHAP value per explained row.
    expect(answer.shap.values.y.a).toHaveLength(answer.shap.rows);
    // The partial dependence of y on a has slope 2.
    const pd = answer.partialDependence.y.a;
    // (Numbers are printed to 6 significant digits.)
    expect((pd.mean.at(-1) - pd.mean[0]) / (pd.grid.at(-1) - pd.grid[0])).toBeCloseTo(2, 4);
    expect(answer.interactions[0].variables).toEqual(['a', 'b']);
  });

  it('reports the permutation importance measured on the cross-validation folds', () => {
    const spec = { variables: { x1: { min: 0, max: 9 }, x2: { min: 0, max: 7 } }, objectives: [{ output: 'y', goal: 'max' }] };
    writeFileSync(join(dir, 'explain-model.json'), JSON.stringify(spec));
    const result = sigma('explain', '--spec', 'explain-model.json', '--model', 'model.json', '--n', '64');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    // y = 3·x1 − 2·x2 + 5 on the training rows: both inputs matter on the held-out folds, x1 most
    // (3 × its spread of 0–9 against 2 × 0–7).
    const folds = answer.permutationFolds.y;
    expect(folds.map((p: { input: string }) => p.input)).toEqual(['x1', 'x2']);
    expect(folds[0].importance).toBeGreaterThan(folds[1].importance);
    expect(folds[1].importance).toBeGreaterThan(0.1);
  });

  it('designs experiments that keep a mixture at 100, and writes the sheet', () => {
    const spec = {
      variables: { A: { min: 10, max: 80 }, B: { min: 5, max: 60 }, C: { min: 0, max: 40 }, T: { min: 120, max: 160, step: 10 } },
      constraints: ['A + B + C == 100'],
      objectives: [{ output: 'strength', goal: 'max' }],
    };
    writeFileSync(join(dir, 'design.json'), JSON.stringify(spec));
    const result = sigma('design', '--spec', 'design.json', '--n', '8', '--seed', '4', '--out', 'plan.csv');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.rows).toHaveLength(8);
    for (const row of answer.rows) {
      expect(Math.abs(row.A + row.B + row.C - 100)).toBeLessThan(1e-9);
      expect([120, 130, 140, 150, 160]).toContain(row.T);
    }
    const sheet = readFileSync(join(dir, 'plan.csv'), 'utf8').trim().split(/\r?\n/);
    expect(sheet[0]).toBe('run,A,B,C,T,strength');
    expect(sheet).toHaveLength(9);
    expect(sheet[1].endsWith(',')).toBe(true);
  });

  it('suggests diverse next experiments inside the bounds, with reasons', () => {
    const spec = { variables: { x1: { min: 0, max: 9 }, x2: { min: 0, max: 7 } }, objectives: [{ output: 'y', goal: 'max' }] };
    writeFileSync(join(dir, 'suggest.json'), JSON.stringify(spec));
    const result = sigma('suggest', '--spec', 'suggest.json', '--model', 'model.json', '--data', 'runs.csv', '--count', '3', '--out', 'next.csv');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.proposals).toHaveLength(3);
    for (const p of answer.proposals) {
      expect(p.inputs.x1).toBeGreaterThanOrEqual(0);
      expect(p.inputs.x1).toBeLessThanOrEqual(9);
      expect(p.reason.length).toBeGreaterThan(5);
      expect(p.predicted.y).toBeCloseTo(3 * p.inputs.x1 - 2 * p.inputs.x2 + 5, 2);
    }
    // y grows with x1 and falls with x2: the best proposal sits near x1 = 9, x2 = 0.
    const best = answer.proposals.reduce((m: { predicted: { y: number } }, p: { predicted: { y: number } }) => (p.predicted.y > m.predicted.y ? p : m));
    expect(best.inputs.x1).toBeGreaterThan(7);
    expect(readFileSync(join(dir, 'next.csv'), 'utf8').split(/\r?\n/)[0]).toBe('run,x1,x2,y');
  });

  it('keeps a limit on a predicted output when suggesting', () => {
    const spec = { variables: { x1: { min: 0, max: 9 }, x2: { min: 0, max: 7 } }, objectives: [{ output: 'y', goal: 'max' }], constraints: ['y <= 20', 'x1 >= 1', 'y / (x1 + 1) >= 2'] };
    writeFileSync(join(dir, 'suggest-limit.json'), JSON.stringify(spec));
    const result = sigma('suggest', '--spec', 'suggest-limit.json', '--model', 'model.json', '--data', 'runs.csv', '--count', '3');
    expect(result.status, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.outputBounds).toEqual([{ output: 'y', max: 20 }]);
    expect(answer.constraintsOnPredictions).toEqual(['y / (x1 + 1) >= 2']);
    for (const p of answer.proposals) {
      expect(p.predicted.y).toBeLessThanOrEqual(20);
      expect(p.predicted.y / (p.inputs.x1 + 1)).toBeGreaterThanOrEqual(2 - 1e-9);
      expect(p.inputs.x1).toBeGreaterThanOrEqual(1);
    }
  });

  it('prints its version', () => {
    const version = execFileSync(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'version'], { encoding: 'utf8' });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
