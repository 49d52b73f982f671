// Builds the AssemblyScript kernels (wasm/assembly/kernels.ts, which re-exports mlp.ts) twice:
//   wasm/build/kernels.wasm          SIMD128, runs wherever WebAssembly SIMD does;
//   wasm/build/kernels-relaxed.wasm  SIMD128 + relaxed SIMD (f32x4.relaxed_madd, a fused
//                                    multiply-add on x86 and ARM); Chromium has it on, Node 20
//                                    only with --experimental-wasm-relaxed-simd. Callers pick it
//                                    when WebAssembly.validate accepts a relaxed-SIMD probe.
// Run by `npm run build` and, when kernels.wasm is missing or stale, by the test and start scripts.
import { main } from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(root, 'build'), { recursive: true });

async function build(name, features) {
  const { error, stderr } = await main([
    join(root, 'assembly/kernels.ts'),
    '--outFile', join(root, `build/${name}.wasm`),
    '--textFile', join(root, `build/${name}.wat`),
    '--runtime', 'stub',
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--noAssert',
    '--enable', features,
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(error.message);
    process.exit(1);
  }
  console.log(`wasm: built wasm/build/${name}.wasm`);
}

// kernels.wasm last, so its time stamp (which scripts/ensure-built.mjs checks) is the newest.
await build('kernels-relaxed', 'simd,relaxed-simd');
await build('kernels', 'simd');
