/** Options shared by the staff and the portal engine. */
import type { BackoffOptions } from './sync/backoff.js';

export interface EngineOptions {
  /** Base URL of the relay, such as `https://portal.example.com`. */
  relayUrl: string;
  /** Bearer token from `POST /api/auth/login`; browsers use the cookie. */
  token?: string;
  /** Prefix of the local IndexedDB databases of this engine. */
  databaseName: string;
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
  /**
   * Opens the sync WebSocket. Defaults to the global `WebSocket`, which in
   * a browser sends the same-origin session cookie. Node callers pass one
   * that sets the `Authorization` header (see `@portico/engine/node`).
   */
  createWebSocket?: (url: string) => WebSocket;
  /** Connect right after opening (default true). */
  startOnline?: boolean;
  /** RxDB dev-mode and schema validation on every write; for tests only. */
  devMode?: boolean;
  /** Reconnect delays; tests pass a seeded `random`. */
  backoff?: Partial<BackoffOptions>;
  /** HTTP client for `GET /api/auth/session`; defaults to global `fetch`. */
  fetch?: typeof fetch;
}

/** Returns the WebSocket URL of the relay's multiplexed sync endpoint. */
export function syncUrl(relayUrl: string): string {
  const url = new URL(relayUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(
      `Invalid relayUrl "${relayUrl}": use an http, https, ws or wss URL.`,
    );
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
