// First-screen size: the JavaScript the browser loads for the projects screen (/) of the built
// app, gzipped file by file as a server would send it. The page's own code is the static-import
// closure of what index.html loads plus the route nodes of "/" (the root layout and the page);
// dynamic imports are left out, as they load only when used. The engine worker it starts, which
// runs off the main thread, and ECharts (in the chart worker, which only chart screens start)
// are reported on their own lines. It asserts nothing: it prints figures. Needs `npm run build:web` first.
//   npx tsx bench/first-screen.ts
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUILD = resolve('build');
const IMMUTABLE = join(BUILD, '_app', 'immutable');

// Static `import … from "x"`, `import "x"` and `export … from "x"`; `import("x")` has a parenthesis.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']([^"']+\.js)["']/g;
const WORKER_URL = /["'`]([^"'`]*workers\/[^"'`]+\.js)["'`]/g;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

function staticClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
    }
  }
  return seen;
}

/** The scripts index.html loads: its modulepreloads and the boot script's imports. */
function htmlScripts(html: string): string[] {
  const urls = [...html.matchAll(/<link[^>]+href="([^"]+\.js)"[^>]*rel="modulepreload"/g), ...html.matchAll(/import\("([^"]+\.js)"\)/g)].map((m) => m[1]);
  return [...new Set(urls)].map((url) => join(BUILD, url));
}

/** The route nodes SvelteKit loads for `route`: the root layout (0) and the nodes in its dictionary entry. */
function routeNodes(appFile: string, route: string): string[] {
  const app = readFileSync(appFile, 'utf8');
  const entry = new RegExp(`"${route.replace(/[/[\]]/g, '\\$&')}":\\[([-\\d,]*)\\]`).exec(app);
  if (!entry) throw new Error(`route ${route} is not in ${relative(BUILD, appFile)}`);
  const indices = new Set([0, ...entry[1].split(',').filter(Boolean).map((i) => Math.abs(Number(i)))]);
  const nodes = readdirSync(join(IMMUTABLE, 'nodes'));
  return [...indices].map((index) => {
    const name = nodes.find((file) => file.startsWith(`${index}.`) && file.endsWith('.js'));
    if (!name) throw new Error(`no file for route node ${index}`);
    return join(IMMUTABLE, 'nodes', name);
  });
}

if (!existsSync(join(BUILD, 'index.html'))) {
  console.log('build/index.html is missing: run `npm run build:web` first.');
  process.exit(1);
}

const boot = htmlScripts(readFileSync(join(BUILD, 'index.html'), 'utf8'));
const appFile = boot.find((file) => /entry[/\\]app\.[^/\\]+\.js$/.test(file));
if (!appFile) throw new Error('index.html does not load entry/app.*.js');
const firstScreen = staticClosure([...boot, ...routeNodes(appFile, '/')]);
const firstBytes = [...firstScreen].reduce((sum, file) => sum + readFileSync(file).length, 0);
const firstGzip = [...firstScreen].reduce((sum, file) => sum + gzipped(file), 0);

const workers = new Set<string>();
for (const file of firstScreen) {
  for (const [, url] of readFileSync(file, 'utf8').matchAll(WORKER_URL)) {
    const path = resolve(dirname(file), url.startsWith('.') ? url : `../${url.replace(/^.*?workers\//, 'workers/')}`);
    if (existsSync(path)) workers.add(path);
  }
}
const workerClosure = staticClosure([...workers]);

const scripts = readdirSync(IMMUTABLE, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.js'))
  .map((name) => join(IMMUTABLE, name));
// ECharts marks its chart containers with this attribute name; no other code has the string.
const echarts = scripts.filter((file) => readFileSync(file, 'utf8').includes('_echarts_instance_'));
const echartsOnly = [...staticClosure(echarts)].filter((file) => !firstScreen.has(file));

console.log(`first screen (/): ${firstScreen.size} JavaScript files, ${kb(firstBytes)} minified, ${kb(firstGzip)} gzipped`);
for (const file of [...firstScreen].sort((a, b) => gzipped(b) - gzipped(a)).slice(0, 5)) console.log(`  ${relative(BUILD, file).padEnd(44)} ${kb(gzipped(file)).padStart(9)} gzipped`);
console.log(
  `engine worker it starts (off the main thread): ${workerClosure.size} files, ${kb([...workerClosure].reduce((s, f) => s + gzipped(f), 0))} gzipped`,
);
console.log(
  `ECharts (chart worker, chart screens only): ${echartsOnly.map((f) => relative(BUILD, f)).join(', ') || 'not found'}, ` +
    `${kb(echartsOnly.reduce((s, f) => s + readFileSync(f).length, 0))} minified, ${kb(echartsOnly.reduce((s, f) => s + gzipped(f), 0))} gzipped; ` +
    `in the first screen: ${echarts.some((file) => firstScreen.has(file)) ? 'yes' : 'no'}`,
);
