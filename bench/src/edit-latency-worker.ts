/**
 * Client B of the edit latency benchmark, in its own worker thread because
 * the RxDB open core limits open collections per realm. It follows one
 * contact through a Portico staff engine and through a bare Y.Doc on
 * `@y/websocket-server`, and posts every `notes` value it receives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as Y from 'yjs';
import { openStaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { openSocket, SyncedDoc } from './y-wire.js';

export interface EditWorkerInput {
  relayUrl: string;
  token: string;
  contactId: string;
  /** `@y/websocket-server` URL including the doc name. */
  peerDocUrl: string;
}

/** Messages from the worker to the main thread. */
export type EditWorkerMessage =
  | { type: 'ready' }
  | { type: 'seen'; side: 'portico' | 'peer'; value: string }
  | { type: 'closed' };

const input = workerData as EditWorkerInput;
const port = parentPort;
if (!port) throw new Error('edit-latency-worker must run in a worker thread');

const post = (message: EditWorkerMessage) => port.postMessage(message);

const engine = await openStaffEngine(
  nodeEngineOptions({
    relayUrl: input.relayUrl,
    token: input.token,
    databaseName: 'bench-edit-b',
  }),
);
const contacts = engine.collections['contacts'];
if (!contacts) throw new Error('The engine has no contacts collection.');
let porticoReady: () => void = () => undefined;
const porticoSeen = new Promise<void>((resolve) => (porticoReady = resolve));
const subscription = contacts.findOne(input.contactId).$.subscribe((row) => {
  if (row === null) return;
  porticoReady();
  const notes: unknown = row.get('notes');
  if (typeof notes === 'string')
    post({ type: 'seen', side: 'portico', value: notes });
});

const peerDoc = new Y.Doc();
const peer = new SyncedDoc(peerDoc, await openSocket(input.peerDocUrl));
const records = peerDoc.getMap<Y.Map<unknown>>('contacts');
records.observeDeep(() => {
  const notes = records.get(input.contactId)?.get('notes');
  if (typeof notes === 'string')
    post({ type: 'seen', side: 'peer', value: notes });
});

await Promise.all([porticoSeen, peer.synced]);
post({ type: 'ready' });

port.once('message', () => {
  void (async () => {
    subscription.unsubscribe();
    await engine.close();
    await peer.close();
    peerDoc.destroy();
    post({ type: 'closed' });
  })();
});
