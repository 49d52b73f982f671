// Builds the AssemblyScript kernels to wasm/build/kernels.wasm (SIMD128).
// Run by `npm run build` and, when the output is missing or stale, by the test and start scripts.
import { main } from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(root, 'build'), { recursive: true });

const { error, stderr } = await main([
  join(root, 'assembly/kernels.ts'),
  '--outFile', join(root, 'build/kernels.wasm'),
  '--textFile', join(root, 'build/kernels.wat'),
  '--runtime', 'stub',
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--noAssert',
  '--enable', 'simd',
]);
if (error) {
  console.error(stderr.toString());
  console.error(error.message);
  process.exit(1);
}
console.log('wasm: built wasm/build/kernels.wasm');
