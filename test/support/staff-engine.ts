/**
 * One staff engine in the test process, on fake-indexeddb. RxDB's open
 * core allows only a few open collections per process, so keep one engine
 * per test file and close it in `afterEach`.
 */
import { openStaffEngine, type StaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { IDBFactory } from 'fake-indexeddb';
import { until } from './wait.js';

let counter = 0;

export async function openTestStaffEngine(
  relayUrl: string,
  token: string,
  options: { indexedDB?: IDBFactory; startOnline?: boolean } = {},
): Promise<StaffEngine> {
  counter += 1;
  return openStaffEngine({
    ...nodeEngineOptions({
      relayUrl,
      token,
      databaseName: `staff-it-${process.pid}-${counter}`,
      indexedDB: options.indexedDB ?? new IDBFactory(),
    }),
    startOnline: options.startOnline ?? true,
  });
}

/** Waits until the relay's mail settings reached the engine's firm doc. */
export async function waitForMailSettings(engine: StaffEngine): Promise<void> {
  await until(
    () => engine.portal.mailSettings() !== undefined,
    'the relay mail settings in the firm doc',
  );
}
