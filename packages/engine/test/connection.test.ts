import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  backoffDelay,
  openStaffEngine,
  type EngineError,
  type StaffEngine,
} from '../src/index.js';
import { SyncConnection } from '../src/sync/connection.js';
import { contactInput, testOptions, until, waitFor } from './support/engine.js';
import { relayRecord } from './support/remote.js';
import { TestRelay } from './support/test-relay.js';

/** Returns a generator that yields the given numbers in a loop. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('backoffDelay', () => {
  const options = { baseMs: 500, capMs: 30_000, random: () => 0.5 };

  test('doubles the ceiling per attempt', () => {
    const delays = [0, 1, 2, 3].map((attempt) =>
      backoffDelay(attempt, options),
    );
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  test('stops at the cap', () => {
    expect(backoffDelay(20, options)).toBe(15_000);
    expect(backoffDelay(20, { ...options, random: () => 0.999999 })).toBe(
      29_999,
    );
  });

  test('full jitter can reach zero', () => {
    expect(backoffDelay(5, { ...options, random: () => 0 })).toBe(0);
  });
});

/** A WebSocket stand-in whose events the test fires by hand. */
class ScriptedSocket {
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: Uint8Array[] = [];

  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  fail(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  send(data: Uint8Array): void {
    this.sent.push(data);
  }

  close(): void {
    this.fail(1000);
  }
}

describe('SyncConnection reconnects', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('waits the jittered backoff between attempts', async () => {
    vi.useFakeTimers();
    const sockets: ScriptedSocket[] = [];
    const connection = new SyncConnection({
      url: 'ws://127.0.0.1:1/sync',
      createWebSocket: () => {
        const socket = new ScriptedSocket();
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
      backoff: { baseMs: 500, capMs: 30_000, random: sequence(0.5, 0.25) },
      reportError: () => undefined,
    });
    connection.start();
    expect(sockets).toHaveLength(1);

    sockets[0]!.fail();
    expect(connection.state$.value).toBe('connecting');
    await vi.advanceTimersByTimeAsync(249);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);

    // Second attempt: ceiling 1000 ms, jitter 0.25.
    sockets[1]!.fail();
    await vi.advanceTimersByTimeAsync(249);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);

    // A connection that delivers a frame resets the backoff.
    sockets[2]!.open();
    expect(connection.state$.value).toBe('online');
    sockets[2]!.onmessage?.({ data: new Uint8Array([0]).buffer });
    sockets[2]!.fail();
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets).toHaveLength(4);

    sockets[3]!.fail();
    await connection.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(connection.state$.value).toBe('offline');
  });

  test('4400-range close stops retrying', async () => {
    vi.useFakeTimers();
    const sockets: ScriptedSocket[] = [];
    const errors: EngineError[] = [];
    const connection = new SyncConnection({
      url: 'ws://127.0.0.1:1/sync',
      createWebSocket: () => {
        const socket = new ScriptedSocket();
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
      backoff: { baseMs: 500, capMs: 30_000, random: () => 0 },
      reportError: (error) => errors.push(error),
    });
    connection.start();
    sockets[0]!.open();
    sockets[0]!.fail(4403);
    expect(vi.getTimerCount()).toBe(0);
    expect(connection.state$.value).toBe('offline');
    expect(errors.map((error) => error.code)).toEqual([4403]);
    await connection.stop();
  });
});

describe('engine connection', () => {
  let relay: TestRelay;
  let engine: StaffEngine | undefined;

  beforeEach(async () => {
    relay = await TestRelay.start();
  });

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await relay.close();
  });

  test('rejected token is reported once', async () => {
    relay.requiredToken = 'right';
    engine = await openStaffEngine(testOptions(relay.url, { token: 'wrong' }));
    const error = await waitFor(
      engine.errors$,
      (candidate) => candidate.kind === 'connection-rejected',
    );
    expect(error.code).toBe(4401);
    expect(await waitFor(engine.connection$, () => true)).toBe('offline');
  });

  test('bearer token is accepted', async () => {
    relay.requiredToken = 'right';
    engine = await openStaffEngine(testOptions(relay.url, { token: 'right' }));
    await waitFor(engine.connection$, (state) => state === 'online');
  });

  test('denied doc is reported', async () => {
    relay.deniedDocs.add('firm');
    engine = await openStaffEngine(testOptions(relay.url));
    const error = await waitFor(
      engine.errors$,
      (candidate) => candidate.kind === 'doc-denied',
    );
    expect(error.doc).toBe('firm');
    expect(error.code).toBe(4403);
  });

  test('dropped connection reconnects and syncs', async () => {
    engine = await openStaffEngine(
      testOptions(relay.url, { backoff: { baseMs: 20 } }),
    );
    await waitFor(engine.connection$, (state) => state === 'online');
    relay.dropAll();
    await waitFor(engine.connection$, (state) => state !== 'online');
    const created = await engine.contacts.create(contactInput);
    await waitFor(engine.connection$, (state) => state === 'online');
    await engine.waitForAllSaved();
    expect(relayRecord(relay, 'firm', 'contacts', created.id)).toBeDefined();
    expect(relay.connections).toBe(2);
  });

  // The fake-timer test above checks that stopping clears the retry timer.
  test('close while reconnecting leaves no sockets', async () => {
    engine = await openStaffEngine(
      testOptions(relay.url, { backoff: { baseMs: 60_000 } }),
    );
    await waitFor(engine.connection$, (state) => state === 'online');
    relay.dropAll();
    // Now a reconnect timer is waiting.
    await waitFor(engine.connection$, (state) => state === 'connecting');
    let completed = false;
    engine.connection$.subscribe({ complete: () => (completed = true) });
    await engine.close();
    engine = undefined;
    expect(completed).toBe(true);
    await until(() => countResources('TCPSocketWrap') === 0, 'no sockets');
  });
});

function countResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((name) => name === kind)
    .length;
}
