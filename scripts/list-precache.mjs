// Writes build/precache.json: every file under build/_app/immutable/. SvelteKit's own
// list for the service worker leaves out the engine worker's chunks and wasm files, and
// without them the app could not compute offline.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = 'build';
const files = readdirSync(join(root, '_app', 'immutable'), { recursive: true })
  .map((entry) => join(root, '_app', 'immutable', String(entry)))
  .filter((path) => statSync(path).isFile())
  .map((path) => `/${relative(root, path).split(sep).join('/')}`)
  .sort();
writeFileSync(join(root, 'precache.json'), `${JSON.stringify(files, null, 1)}\n`);
console.log(`precache: ${files.length} files listed in build/precache.json`);
