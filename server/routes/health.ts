import { Hono } from 'hono';
import type { HealthResponse } from '../../shared/schema/health.ts';
import type { AppEnv } from '../app.ts';

export function healthRoutes(version: string) {
  return new Hono<AppEnv>().get('/', async (c) => {
    // A cheap query proves the store answers, not only that the process is up.
    await c.var.deps.store.first('SELECT 1 AS ok');
    const body: HealthResponse = { status: 'ok', version };
    return c.json(body);
  });
}
