// Serves the built web app from the build folder, with index.html as the fallback for
// every other path outside /api (the app routes in the browser).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.ts';

export interface StaticAssets {
  readonly handler: MiddlewareHandler<AppEnv>;
  readonly indexHtml: string;
}

export class MissingBuildError extends Error {
  override name = 'MissingBuildError';
}

export function staticAssets(buildDir: string): StaticAssets {
  let indexHtml: string;
  try {
    indexHtml = readFileSync(join(buildDir, 'index.html'), 'utf8');
  } catch {
    throw new MissingBuildError(`No built app in ${buildDir}: run \`npm run build\` first`);
  }
  const files = serveStatic<AppEnv>({ root: buildDir });
  const handler: MiddlewareHandler<AppEnv> = async function serveApp(c, next) {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const served = await files(c, async () => {});
    if (served) return served;
    // A path with a file extension that is not there is a real 404, not an app route.
    if (/\.[a-z0-9]+$/i.test(c.req.path)) return c.text('Not found', 404);
    return c.html(indexHtml);
  };
  return { handler, indexHtml };
}
