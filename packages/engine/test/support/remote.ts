/** Writes made by "another client": a bare Y.Doc synced from a relay doc. */
import * as Y from 'yjs';
import type { Contact } from '../../src/index.js';
import type { TestRelay } from './test-relay.js';

/**
 * Applies a change to a copy of the relay's doc and injects the resulting
 * update into the relay, which forwards it to connected engines.
 */
export function remoteWrite(
  relay: TestRelay,
  docName: string,
  change: (doc: Y.Doc) => void,
): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(relay.doc(docName)));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => change(copy));
  const update = Y.encodeStateAsUpdate(copy, before);
  relay.injectUpdate(docName, update);
  copy.destroy();
  return update;
}

/** Builds the Y.Map of a record from plain fields. */
export function recordMap(fields: Record<string, unknown>): Y.Map<unknown> {
  const record = new Y.Map<unknown>();
  for (const [name, value] of Object.entries(fields)) record.set(name, value);
  return record;
}

/** Reads one record of a relay doc as JSON, or undefined. */
export function relayRecord(
  relay: TestRelay,
  docName: string,
  mapName: string,
  key: string,
): Record<string, unknown> | undefined {
  const value = relay.doc(docName).getMap(mapName).get(key);
  return value instanceof Y.Map ? value.toJSON() : undefined;
}

export const remoteContactFields: Omit<Contact, 'id'> = {
  displayName: 'Grace Hopper',
  kind: 'person',
  portal: { status: 'none' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
