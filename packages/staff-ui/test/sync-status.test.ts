import { describe, expect, it } from 'vitest';
import {
  SyncStatusTracker,
  type ConnectionState,
  type SyncStatus,
} from '../src/engine/sync-status.js';

/** A minimal subject: emits to current listeners, like an RxJS Subject. */
class FakeSource<T> {
  private readonly listeners = new Set<(value: T) => void>();
  constructor(private value: T) {}
  subscribe(listener: (value: T) => void) {
    this.listeners.add(listener);
    listener(this.value);
    return { unsubscribe: () => this.listeners.delete(listener) };
  }
  next(value: T): void {
    this.value = value;
    for (const listener of this.listeners) listener(value);
  }
}

function setup(stored: Record<string, string> = {}) {
  const connection$ = new FakeSource<ConnectionState>('offline');
  const pending$ = new FakeSource(0);
  const storage = {
    getItem: (key: string) => stored[key] ?? null,
    setItem: (key: string, value: string) => {
      stored[key] = value;
    },
  };
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  const tick = () => new Date((clock += 1000));
  const tracker = new SyncStatusTracker(
    { connection$, pending$ },
    'last',
    storage,
    tick,
  );
  const seen: SyncStatus[] = [];
  tracker.watch((status) => seen.push(status));
  return { connection$, pending$, tracker, seen, stored };
}

describe('SyncStatusTracker', () => {
  it('starts from the stored last sync time', () => {
    const { tracker } = setup({ last: '2026-02-01T00:00:00.000Z' });
    expect(tracker.current.lastSyncedAt).toBe('2026-02-01T00:00:00.000Z');
    tracker.stop();
  });

  it('sets the time only when online and all saved', () => {
    const { connection$, pending$, tracker, stored } = setup();
    pending$.next(2);
    connection$.next('online');
    expect(tracker.current.lastSyncedAt).toBeUndefined();

    pending$.next(0);
    expect(tracker.current).toEqual({
      connection: 'online',
      pending: 0,
      lastSyncedAt: '2026-03-01T10:00:01.000Z',
    });
    expect(stored['last']).toBe('2026-03-01T10:00:01.000Z');
    tracker.stop();
  });

  it('keeps the time when going offline', () => {
    const { connection$, pending$, tracker } = setup();
    connection$.next('online');
    const synced = tracker.current.lastSyncedAt;
    connection$.next('offline');
    pending$.next(1);
    expect(tracker.current.lastSyncedAt).toBe(synced);
    expect(tracker.current.pending).toBe(1);
    tracker.stop();
  });

  it('stops emitting after stop', () => {
    const { connection$, tracker, seen } = setup();
    tracker.stop();
    const count = seen.length;
    connection$.next('online');
    expect(seen.length).toBe(count);
  });
});
