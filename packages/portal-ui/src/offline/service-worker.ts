/**
 * The portal's service worker. It keeps the app shell (the page and its
 * hashed assets) in a cache, so that a reload with no network still opens
 * the portal on the local replica. Relay traffic (`/api`, `/sync`) is never
 * cached, because it carries the client's data and session.
 */

// The DOM library has no ServiceWorkerGlobalScope and the WebWorker
// library conflicts with it, so the few types used here are declared.
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: ExtendableEvent) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const CACHE_NAME = 'portico-portal-shell';
/** Cache key of the page, which every app path serves. */
const SHELL_KEY = '/';

scope.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(dropStaleAssets().then(() => scope.clients.claim()));
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin || !isPortalPath(url.pathname)) {
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(pageNetworkFirst(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(assetCacheFirst(request));
  }
});

/**
 * True for paths of the portal itself. The worker's scope `/` also covers
 * the staff app at `/staff/` and the relay's routes, which must never be
 * answered from, or stored in, the portal's cache.
 */
function isPortalPath(pathname: string): boolean {
  const foreign = ['/staff', '/api', '/sync'];
  return !foreign.some(
    (prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`),
  );
}

/** Stores the page and every asset it references. */
async function cacheShell(): Promise<void> {
  const cache = await caches.open(CACHE_NAME);
  const page = await fetch(SHELL_KEY, { cache: 'no-store' });
  if (!page.ok) {
    throw new Error(`GET ${SHELL_KEY} failed with status ${page.status}.`);
  }
  const html = await page.clone().text();
  await cache.addAll(assetPaths(html));
  await cache.put(SHELL_KEY, page);
}

/** Removes assets that the cached page no longer references. */
async function dropStaleAssets(): Promise<void> {
  const cache = await caches.open(CACHE_NAME);
  const page = await cache.match(SHELL_KEY);
  if (page === undefined) return;
  const current = new Set(assetPaths(await page.text()));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !current.has(path)) {
      await cache.delete(request);
    }
  }
}

// Vite writes the entry script and style links as absolute /assets/ paths.
function assetPaths(html: string): string[] {
  const paths = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)];
  return [...new Set(paths.map((match) => match[1] ?? ''))].filter(Boolean);
}

/** Serves a fresh page when online, which also refreshes the cache. */
async function pageNetworkFirst(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(CACHE_NAME);
      await cache.put(SHELL_KEY, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(SHELL_KEY);
    if (cached !== undefined) return cached;
    throw error;
  }
}

/** Hashed asset names never change content, so the cache wins. */
async function assetCacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request);
  if (cached !== undefined) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE_NAME);
    await cache.put(request, response.clone());
  }
  return response;
}
