/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Precaches the built app so a second visit starts with the network off: SvelteKit's
// list, plus build/precache.json (every hashed file, the engine worker's chunks and
// wasm included). Hashed files: cache-first. Navigations: network first, falling back
// to the cached shell. API calls are never cached.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `sigma-${version}`;
const SHELL = '/';
const PRECACHE = [SHELL, ...build, ...files];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const listed: string[] = await (await fetch('/precache.json', { cache: 'no-store' })).json();
      await cache.addAll([...new Set([...PRECACHE, ...listed])]);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/')) return;

  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (request.mode === 'navigate') {
        try {
          const response = await fetch(request);
          if (response.ok) await cache.put(SHELL, response.clone());
          return response;
        } catch {
          return (await cache.match(SHELL)) ?? Response.error();
        }
      }
      const cached = await cache.match(request);
      if (cached) return cached;
      return fetch(request);
    })(),
  );
});
