/**
 * The File Transfer Queue against a small stand-in of the relay's
 * `POST /api/blobs` on 127.0.0.1 whose responses each test scripts. The real
 * relay is exercised by the integration tests, because the relay package
 * depends on the engine and cannot be imported here.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDBFactory } from 'fake-indexeddb';
import { BehaviorSubject, filter, firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/transfers/file-store.js';
import { RelayHttp } from '../../src/transfers/relay-http.js';
import {
  TransferQueue,
  type TransferHooks,
} from '../../src/transfers/transfer-queue.js';
import type { Transfer } from '../../src/transfers/types.js';

interface StandIn {
  url: string;
  /**
   * Status to respond with, one per request; 201 once the list is empty.
   * 0 keeps the request open without a response, as a stalled relay would.
   */
  script: number[];
  /** SHA-256 of each file body received with a 201. */
  stored: string[];
  requests: number;
  server: Server;
}

async function startStandIn(): Promise<StandIn> {
  const standIn: StandIn = {
    url: '',
    script: [],
    stored: [],
    requests: 0,
    server: createServer(),
  };
  standIn.server.on('request', (req, res) => {
    standIn.requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const status = standIn.script.shift() ?? 201;
    if (status === 0) return;
    req.on('end', () => {
      if (status === 201) {
        const body = Buffer.concat(chunks);
        standIn.stored.push(createHash('sha256').update(body).digest('hex'));
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      const error = { code: `status_${status}`, message: `scripted ${status}` };
      res.end(JSON.stringify(status === 201 ? {} : { error }));
    });
  });
  await new Promise<void>((resolve) =>
    standIn.server.listen(0, '127.0.0.1', resolve),
  );
  const { port } = standIn.server.address() as AddressInfo;
  standIn.url = `http://127.0.0.1:${port}`;
  return standIn;
}

const done: Transfer[] = [];
const cancelled: Transfer[] = [];
const hooks: TransferHooks = {
  afterUpload: (transfer) => {
    done.push(transfer);
    return Promise.resolve();
  },
  afterDownload: () => Promise.resolve(),
  afterFailure: () => Promise.resolve(),
  afterCancel: (transfer) => {
    cancelled.push(transfer);
    return Promise.resolve();
  },
};
const fastBackoff = { baseMs: 5, capMs: 20, random: () => 1 };

let standIn: StandIn;
let indexedDB: IDBFactory;
let online: BehaviorSubject<boolean>;
const opened: { queue: TransferQueue; store: LocalFileStore }[] = [];

async function openQueue() {
  const store = await LocalFileStore.open(indexedDB, 'queue-test');
  const http = new RelayHttp(standIn.url, 'token', fetch);
  const queue = await TransferQueue.open(
    store,
    http,
    hooks,
    online,
    fastBackoff,
  );
  opened.push({ queue, store });
  return { queue, store };
}

async function closeQueues() {
  for (const { queue, store } of opened.splice(0)) {
    await queue.close();
    store.close();
  }
}

async function queueUpload(queue: TransferQueue, store: LocalFileStore) {
  const file = await store.put(new Blob(['portal file bytes']));
  return queue.add({
    kind: 'upload',
    contactId: 'contact-1',
    fileId: crypto.randomUUID(),
    name: 'a.txt',
    sha256: file.sha256,
    mediaType: 'text/plain',
    bytesTotal: file.size,
  });
}

beforeEach(async () => {
  standIn = await startStandIn();
  indexedDB = new IDBFactory();
  online = new BehaviorSubject(false);
  done.length = 0;
  cancelled.length = 0;
});

afterEach(async () => {
  await closeQueues();
  standIn.server.closeAllConnections();
  await new Promise((resolve) => standIn.server.close(resolve));
});

describe('TransferQueue', () => {
  it('waits offline and runs online', async () => {
    const { queue, store } = await openQueue();
    const transfer = await queueUpload(queue, store);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(standIn.requests).toBe(0);
    expect(queue.get(transfer.id)?.state).toBe('queued');

    online.next(true);
    const finished = await queue.whenFinished(transfer.id);
    expect(finished.state).toBe('done');
    expect(finished.bytesDone).toBe(finished.bytesTotal);
    expect(done.map((t) => t.id)).toEqual([transfer.id]);
  });

  it('retries failures that may pass', async () => {
    standIn.script.push(503, 500);
    online.next(true);
    const { queue, store } = await openQueue();
    const transfer = await queueUpload(queue, store);
    const finished = await queue.whenFinished(transfer.id);
    expect(finished.state).toBe('done');
    expect(finished.attempts).toBe(3);
    expect(standIn.requests).toBe(3);
  });

  it('marks a rejected upload failed', async () => {
    standIn.script.push(413);
    online.next(true);
    const { queue, store } = await openQueue();
    const transfer = await queueUpload(queue, store);
    await expect(queue.whenFinished(transfer.id)).rejects.toThrow(
      /scripted 413/,
    );
    const failed = queue.get(transfer.id);
    expect(failed?.state).toBe('failed');
    expect(failed?.lastError).toBe('scripted 413');
    expect(failed?.attempts).toBe(1);

    const retried = await queue.retry(transfer.id);
    expect(retried.state).toBe('queued');
    expect((await queue.whenFinished(transfer.id)).state).toBe('done');
  });

  it('keeps queued transfers across a restart', async () => {
    const first = await openQueue();
    const transfer = await queueUpload(first.queue, first.store);
    await closeQueues();

    const second = await openQueue();
    expect(second.queue.get(transfer.id)?.state).toBe('queued');
    online.next(true);
    expect((await second.queue.whenFinished(transfer.id)).state).toBe('done');
  });

  it('rejects waiters on close', async () => {
    const { queue, store } = await openQueue();
    const transfer = await queueUpload(queue, store);
    const waiting = queue.whenFinished(transfer.id);
    await closeQueues();
    await expect(waiting).rejects.toThrow(/closed before transfer/);
  });

  it('never runs a cancelled queued transfer', async () => {
    const { queue, store } = await openQueue();
    const first = await queueUpload(queue, store);
    const waiting = queue.whenFinished(first.id);
    const result = await queue.cancel(first.id);
    expect(result.state).toBe('cancelled');
    await expect(waiting).rejects.toThrow(/was cancelled/);
    expect(cancelled.map((t) => t.id)).toEqual([first.id]);

    const second = await queueUpload(queue, store);
    online.next(true);
    await queue.whenFinished(second.id);
    expect(standIn.requests).toBe(1);
    expect(queue.get(first.id)?.state).toBe('cancelled');
  });

  it('aborts a running transfer on cancel', async () => {
    standIn.script.push(0);
    const { queue, store } = await openQueue();
    const stalled = await queueUpload(queue, store);
    online.next(true);
    await firstValueFrom(
      queue.transfers$.pipe(filter((list) => list[0]?.state === 'running')),
    );
    if (standIn.requests === 0) {
      await new Promise((resolve) => standIn.server.once('request', resolve));
    }

    await queue.cancel(stalled.id);

    expect(queue.get(stalled.id)?.state).toBe('cancelled');
    const next = await queueUpload(queue, store);
    expect((await queue.whenFinished(next.id)).state).toBe('done');
    expect(queue.get(stalled.id)?.state).toBe('cancelled');
    expect(done.map((t) => t.id)).toEqual([next.id]);
  });

  it('keeps a cancelled transfer across a restart', async () => {
    const first = await openQueue();
    const transfer = await queueUpload(first.queue, first.store);
    await first.queue.cancel(transfer.id);
    await closeQueues();

    const second = await openQueue();
    expect(second.queue.get(transfer.id)?.state).toBe('cancelled');
  });

  it('reports progress on transfers$', async () => {
    const { queue, store } = await openQueue();
    const states: string[] = [];
    const subscription = queue.transfers$.subscribe((list) => {
      const state = list[0]?.state;
      if (state !== undefined && states.at(-1) !== state) states.push(state);
    });
    const transfer = await queueUpload(queue, store);
    online.next(true);
    await queue.whenFinished(transfer.id);
    subscription.unsubscribe();
    expect(states).toEqual(['queued', 'running', 'done']);
  });
});

describe('LocalFileStore', () => {
  it('stores a large file in chunks under its hash', async () => {
    const store = await LocalFileStore.open(new IDBFactory(), 'chunks-test');
    try {
      const bytes = new Uint8Array(20 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
      const expected = createHash('sha256').update(bytes).digest('hex');
      const file = await store.put(new Blob([bytes]));
      expect(file.sha256).toBe(expected);
      expect(file.chunkCount).toBe(3);
      const again = await store.put(new Blob([bytes]));
      expect(again.group).toBe(file.group);
      const read = await store.read(expected);
      const readBytes = new Uint8Array(await (read as Blob).arrayBuffer());
      expect(createHash('sha256').update(readBytes).digest('hex')).toBe(
        expected,
      );
    } finally {
      store.close();
    }
  });
});
