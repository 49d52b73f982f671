// Sensitivity benchmark: Sobol' indices of the Ishigami function (a = 7, b = 0.1, inputs uniform
// on [−π, π]) at N = 1024 against the analytic values, and the numpy SALib-style peer
// (../shared/peers/sobol_ishigami.py) beside ours when Debian's python3 has numpy and scipy.
//   npx tsx bench/sensitivity.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Model } from '../shared/engine/explain/model.ts';
import { sobolIndices, type SobolResult } from '../shared/engine/explain/sobol.ts';
import type { VariableSpec } from '../shared/engine/optimize/problem.ts';

const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = fileURLToPath(new URL('../../shared/peers/sobol_ishigami.py', import.meta.url));
const N = 1024;
const A = 7;
const B = 0.1;

const V1 = 0.5 * (1 + (B * Math.PI ** 4) / 5) ** 2;
const V2 = A ** 2 / 8;
const V13 = B ** 2 * Math.PI ** 8 * (1 / 18 - 1 / 50);
const V = V1 + V2 + V13;
const S1 = [V1 / V, V2 / V, 0];
const ST = [(V1 + V13) / V, V2 / V, V13 / V];

const ishigami: Model = async ([x1, x2, x3], n) => {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.sin(x1[i]) + A * Math.sin(x2[i]) ** 2 + B * x3[i] ** 4 * Math.sin(x1[i]);
  return { mean: [y] };
};
const variables: VariableSpec[] = ['x1', 'x2', 'x3'].map((name) => ({ name, type: 'continuous', min: -Math.PI, max: Math.PI }));

const vector = (values: readonly number[]): string => `(${values.map((x) => (x >= 0 ? '+' : '') + x.toFixed(4)).join(', ')})`;
const largestError = (values: readonly number[], truth: readonly number[]): number =>
  Math.max(...values.map((x, i) => Math.abs(x - truth[i])));

interface Run {
  readonly label: string;
  readonly result: SobolResult;
  readonly seconds: number;
}

async function measure(label: string, scramble: boolean, seed: number): Promise<Run> {
  const times: number[] = [];
  let result: SobolResult | null = null;
  for (let repeat = 0; repeat < 3; repeat++) {
    const start = performance.now();
    result = await sobolIndices(ishigami, variables, { baseSamples: N, seed, scramble, bootstrap: 100 });
    times.push((performance.now() - start) / 1000);
  }
  return { label, result: result as SobolResult, seconds: Math.min(...times) };
}

function runPeer(): string[] | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'numpy/scipy are not installed for it (apt-get install -y python3-numpy python3-scipy)';
  if (!existsSync(PEER_SCRIPT)) return `${PEER_SCRIPT} not found`;
  const run = spawnSync(PYTHON, [PEER_SCRIPT], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) return `the peer script failed: ${run.stderr.trim().split('\n').at(-1) ?? ''}`;
  return run.stdout.trim().split('\n');
}

async function main(): Promise<void> {
  await sobolIndices(ishigami, variables, { baseSamples: 256, bootstrap: 10 });
  const runs = [await measure('Sigma, plain Sobol\' (SALib convention)', false, 0)];
  for (const seed of [1, 2, 3]) runs.push(await measure(`Sigma, Owen-scrambled, seed ${seed}`, true, seed));

  console.log(`Ishigami (a = ${A}, b = ${B}), N = ${N}, ${N * 5} evaluations, bootstrap 100`);
  console.log(`${'analytic'.padEnd(40)} S1 ${vector(S1)}  ST ${vector(ST)}`);
  for (const { label, result, seconds } of runs) {
    const first = result.indices[0].map((x) => x.first);
    const total = result.indices[0].map((x) => x.total);
    console.log(
      `${label.padEnd(40)} S1 ${vector(first)}  ST ${vector(total)}  ` +
        `max err S1 ${largestError(first, S1).toFixed(4)} ST ${largestError(total, ST).toFixed(4)}  best ${seconds.toFixed(3)} s`,
    );
  }
  const ci = runs[0].result.indices[0];
  console.log(
    `${'   95 % bootstrap interval half-widths'.padEnd(40)} S1 ${vector(ci.map((x) => (x.firstInterval[1] - x.firstInterval[0]) / 2))}  ` +
      `ST ${vector(ci.map((x) => (x.totalInterval[1] - x.totalInterval[0]) / 2))}`,
  );

  console.log('\nPeer (../shared/peers/sobol_ishigami.py):');
  const peer = runPeer();
  if (typeof peer === 'string') console.log(`  not run: ${peer}`);
  else for (const line of peer) console.log(`  ${line}`);
}

await main();
