import type { MiddlewareHandler } from 'hono';

export interface SecurityHeadersOptions {
  /** 'sha256-…' sources of our own inline scripts (the SvelteKit boot script in index.html). */
  readonly scriptHashes?: readonly string[];
  /** Sent only when the site is served over TLS, or it would pin a plain-HTTP host to HTTPS. */
  readonly hsts?: boolean;
}

/**
 * Content-Security-Policy allowing only our own origin, plus cross-origin isolation
 * (COOP/COEP), so SharedArrayBuffer and wasm threads work and nothing foreign loads.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  const hashes = scriptHashes.map((h) => ` '${h}'`).join('');
  return [
    "default-src 'self'",
    // wasm-unsafe-eval lets WebAssembly compile without allowing JavaScript eval.
    `script-src 'self' 'wasm-unsafe-eval'${hashes}`,
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "img-src 'self' blob: data:",
    // Stylesheets and <style> elements only from our origin; style="" attributes are allowed
    // (SvelteKit's route announcer has one), they cannot run script.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders({ scriptHashes = [], hsts = false }: SecurityHeadersOptions = {}): MiddlewareHandler {
  const csp = contentSecurityPolicy(scriptHashes);
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const headers = c.res.headers;
    headers.set('Content-Security-Policy', csp);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    headers.set('X-Frame-Options', 'DENY');
    headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (hsts) headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}

/** The hashes of the inline <script> elements of an HTML page, as CSP sources. */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(match[1]));
    hashes.push(`sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`);
  }
  return hashes;
}
