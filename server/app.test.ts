import { describe, expect, it } from 'vitest';
import { createTestApp } from './test/memory-ports.ts';

describe('createApp', () => {
  it('answers the health check with the version', async () => {
    const { app } = await createTestApp();
    const response = await app.request('/api/v1/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '9.9.9-test' });
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('puts the security headers on every response, errors included', async () => {
    const { app } = await createTestApp({ scriptHashes: ['sha256-abc='] });
    for (const path of ['/api/v1/health', '/api/v1/nope']) {
      const response = await app.request(path);
      const csp = response.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toContain("frame-ancestors 'none'");
      // The only unsafe-inline is for style attributes; nothing allows another origin or eval.
      expect(csp.match(/'unsafe-inline'/g)).toHaveLength(1);
      expect(csp).toContain("style-src-attr 'unsafe-inline'");
      expect(csp).not.toMatch(/'unsafe-eval'|\*|https?:/);
      expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
      expect(response.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
      expect(response.headers.get('Strict-Transport-Security')).toBeNull();
    }
  });

  it('answers unknown API routes with a JSON 404 that does not echo the path', async () => {
    const { app } = await createTestApp();
    const response = await app.request('/api/v1/<script>alert(1)</script>');
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body).toEqual({ error: { code: 'not_found', message: 'No such API route' } });
  });

  it('hides internal errors behind a generic 500', async () => {
    const { app, store } = await createTestApp();
    store.close();
    const response = await app.request('/api/v1/health');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });
});
