/**
 * The staff app's service worker. It caches the built app shell (the page
 * and its hashed assets) at install, so that a signed-in staff member can
 * reload with no network and keep working on the IndexedDB replica. API
 * calls and the sync socket are never cached: the engine owns that data.
 *
 * Pages load network first, so an online reload always gets the current
 * release; the cached page is the fallback when the relay is unreachable.
 * Hashed assets never change under one name, so they load cache first.
 */

// The DOM library has no service worker types, so the few parts used here
// are declared locally.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}

interface WorkerScope {
  registration: { scope: string };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: ExtendableEvent) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  __PORTICO_PRECACHE__?: { version: string; files: string[] };
}

const worker = self as unknown as WorkerScope;

/** Caches of this app start with this prefix; others are left alone. */
const CACHE_PREFIX = 'portico-staff-shell-';
const SHELL_PAGE = 'index.html';
/** Time without a response after which a page load uses the cache. */
const NETWORK_TIMEOUT_MS = 4000;
/**
 * Servers add `Vary: Origin` to these files, and a module script request
 * carries an Origin header that the install-time request did not, so a
 * lookup that honoured Vary would miss. The shell is the same for every
 * origin that can reach this worker, which is its own.
 */
const MATCH: CacheQueryOptions = { ignoreSearch: true, ignoreVary: true };

const manifest = worker.__PORTICO_PRECACHE__ ?? { version: 'dev', files: [] };
const cacheName = `${CACHE_PREFIX}${manifest.version}`;
const scope = worker.registration.scope;
const precached = new Set(manifest.files.map((file) => urlOf(file)));

worker.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => worker.skipWaiting()));
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => worker.clients.claim()));
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(scope)) return;

  if (request.mode === 'navigate') {
    event.respondWith(pageNetworkFirst(request));
  } else if (precached.has(withoutQuery(request.url))) {
    event.respondWith(assetCacheFirst(request));
  }
});

async function precache(): Promise<void> {
  const cache = await caches.open(cacheName);
  // `reload` skips the HTTP cache, so the stored copies match this release.
  const requests = manifest.files.map(
    (file) => new Request(urlOf(file), { cache: 'reload' }),
  );
  await cache.addAll(requests);
}

async function dropOldCaches(): Promise<void> {
  const names = await caches.keys();
  const old = names.filter(
    (name) => name.startsWith(CACHE_PREFIX) && name !== cacheName,
  );
  await Promise.all(old.map((name) => caches.delete(name)));
}

async function pageNetworkFirst(request: Request): Promise<Response> {
  try {
    const response = await fetchWithTimeout(request);
    // A proxy in front of a stopped relay returns 502 or 503, and the
    // cached page is more useful than that error page.
    if (response.status < 500) return response;
    return (await cachedPage()) ?? response;
  } catch (error) {
    const page = await cachedPage();
    if (page !== undefined) return page;
    throw error;
  }
}

async function assetCacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request, MATCH);
  return cached ?? fetch(request);
}

async function cachedPage(): Promise<Response | undefined> {
  const cache = await caches.open(cacheName);
  return cache.match(urlOf(SHELL_PAGE), MATCH);
}

async function fetchWithTimeout(request: Request): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS);
  try {
    return await fetch(request, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

function urlOf(file: string): string {
  return new URL(file, scope).href;
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}
