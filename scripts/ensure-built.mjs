// Builds what is missing or older than its sources, so `npm start` and `npm test` work
// on a fresh clone without a separate build step. `--wasm-only` checks the kernels only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const wasmOnly = process.argv.includes('--wasm-only');

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true })) {
        const full = join(path, entry);
        if (!full.includes('node_modules') && !full.includes(`${join('wasm', 'build')}`)) {
          const s = statSync(full);
          if (s.isFile()) newest = Math.max(newest, s.mtimeMs);
        }
      }
    } else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

function isStale(output, sources) {
  return !existsSync(output) || statSync(output).mtimeMs < newestMtime(sources);
}

function run(script) {
  console.error(`> npm run ${script}`);
  // The child's output goes to stderr: the sigma commands keep stdout for their JSON.
  const result = spawnSync('npm', ['run', '--silent', script], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (isStale('wasm/build/kernels.wasm', ['wasm/assembly', 'wasm/build.mjs'])) run('build:wasm');
if (!wasmOnly && isStale('build/index.html', ['web', 'shared', 'wasm/build/kernels.wasm', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'])) {
  run('build:web');
}
