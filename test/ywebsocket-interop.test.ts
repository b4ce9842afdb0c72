// A stock y-websocket client must be able to sync the firm doc through the
// single-doc endpoint and see what the engine wrote, and the other way
// round. The engine uses the multiplexed endpoint, so this checks that both
// endpoints share one doc manager.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { openStaffEngine, type StaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { loadConfig, startRelay, type Relay } from '@portico/relay';

const STAFF_EMAIL = 'staff@example.com';
const STAFF_PASSWORD = 'a long staff password';

let dataDir: string;
let relay: Relay;
let token: string;

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: STAFF_EMAIL, password: STAFF_PASSWORD }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** Builds a `ws` subclass that sends the bearer token on every upgrade. */
function bearerWebSocket(bearer: string): typeof globalThis.WebSocket {
  class BearerWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    }
  }
  // y-websocket types its polyfill as the DOM WebSocket; `ws` provides the
  // members it uses (binaryType, the on* handlers, send and close).
  return BearerWebSocket as unknown as typeof globalThis.WebSocket;
}

function waitForSynced(provider: WebsocketProvider): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve) => {
    const onSync = (synced: boolean) => {
      if (!synced) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
}

/** Resolves when `read` returns a value other than undefined. */
function waitForValue<T>(
  subscribe: (listener: () => void) => () => void,
  read: () => T | undefined,
): Promise<T> {
  return new Promise((resolve) => {
    const check = () => {
      const value = read();
      if (value === undefined) return false;
      unsubscribe();
      resolve(value);
      return true;
    };
    const unsubscribe = subscribe(() => void check());
    check();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-interop-'));
  relay = await startRelay(
    loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
  );
  await relay.accounts.createStaff(STAFF_EMAIL, STAFF_PASSWORD);
  token = await login(relay.url);
});

afterAll(async () => {
  await relay?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('y-websocket WebsocketProvider on /sync/firm', () => {
  let engine: StaffEngine;
  let provider: WebsocketProvider;
  const doc = new Y.Doc();

  beforeAll(async () => {
    engine = await openStaffEngine(
      nodeEngineOptions({
        relayUrl: relay.url,
        token,
        databaseName: 'interop-staff',
      }),
    );
    provider = new WebsocketProvider(
      relay.url.replace(/^http/, 'ws') + '/sync',
      'firm',
      doc,
      { WebSocketPolyfill: bearerWebSocket(token) },
    );
  });

  afterAll(async () => {
    provider?.destroy();
    doc.destroy();
    await engine?.close();
  });

  it('reads a contact the engine wrote', async () => {
    const contact = await engine.contacts.create({
      displayName: 'Ada Lovelace',
      kind: 'person',
      email: 'ada@example.com',
    });
    await engine.waitForAllSaved();
    await waitForSynced(provider);

    const contacts = doc.getMap<Y.Map<unknown>>('contacts');
    const name = await waitForValue(
      (listener) => {
        contacts.observeDeep(listener);
        return () => contacts.unobserveDeep(listener);
      },
      () => contacts.get(contact.id)?.get('displayName') as string | undefined,
    );

    expect(name).toBe('Ada Lovelace');
    expect(contacts.get(contact.id)?.get('email')).toBe('ada@example.com');
  });

  it('delivers its own writes to the engine RxDB', async () => {
    await waitForSynced(provider);
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    doc.transact(() => {
      const record = new Y.Map<unknown>();
      record.set('id', id);
      record.set('displayName', 'Grace Hopper');
      record.set('kind', 'person');
      record.set('portal', { status: 'none' });
      record.set('createdAt', now);
      record.set('updatedAt', now);
      doc.getMap<Y.Map<unknown>>('contacts').set(id, record);
    });

    const stored = await waitForRecord(engine, id);

    expect(stored.displayName).toBe('Grace Hopper');
    expect(stored.kind).toBe('person');
  });
});

/** Resolves with the contact once the engine's RxDB query emits it. */
async function waitForRecord(
  engine: StaffEngine,
  id: string,
): Promise<{ displayName: string; kind: string }> {
  const document = await firstValueFrom(
    engine.collections.contacts
      .findOne(id)
      .$.pipe(filter((found) => found !== null)),
  );
  return document.toJSON();
}
