/** Helpers that open engines against a test relay in unit tests. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { firstValueFrom, filter, type Observable } from 'rxjs';
import { createNodeWebSocket } from '../../src/node.js';
import type { EngineOptions } from '../../src/options.js';

let counter = 0;

/** Options for a new engine on its own in-memory IndexedDB factory. */
export function testOptions(
  relayUrl: string,
  overrides: Partial<EngineOptions> = {},
): EngineOptions {
  counter += 1;
  return {
    relayUrl,
    databaseName: `engine-test-${counter}`,
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    createWebSocket: (url) => createNodeWebSocket(url, overrides.token),
    devMode: true,
    ...overrides,
  };
}

/** Resolves with the first value that passes the predicate. */
export function waitFor<T>(
  source: Observable<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  return Promise.race([
    firstValueFrom(source.pipe(filter(predicate))),
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`No matching value within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref(),
    ),
  ]);
}

/** Polls a condition until it holds, failing after the deadline. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const contactInput = {
  displayName: 'Ada Lovelace',
  kind: 'person' as const,
  email: 'ada@example.com',
};
