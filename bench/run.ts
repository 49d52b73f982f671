// `npm run bench`: every benchmark, one after another (they would disturb each other's timings).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const benches = ['bench/first-screen.ts', 'bench/kernels.ts', 'bench/threads.ts', 'bench/regression.ts', 'bench/optimize.ts', 'bench/sensitivity.ts'].filter((file) => existsSync(file));
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', file], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
