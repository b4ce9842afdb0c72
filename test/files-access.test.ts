/**
 * Who may fetch and add portal files, and malformed multipart bodies,
 * against a real relay.
 */
import { connect } from 'node:net';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientGet,
  clientUpload,
  relayFileRecord,
  sha256Of,
  startFilesRelay,
  until,
  type FilesRelay,
} from './files-fixtures.js';

let relay: FilesRelay;
let alice: string;
let bob: string;
let staff: string;
let aliceFileId: string;
const aliceBytes = new TextEncoder().encode('only for Alice');

beforeAll(async () => {
  relay = await startFilesRelay();
  staff = await relay.staffToken();
  alice = await relay.clientToken('contact-alice', 'alice@client.example');
  bob = await relay.clientToken('contact-bob', 'bob@client.example');
  const uploaded = await clientUpload(relay.url, alice, 'a.pdf', aliceBytes);
  expect(uploaded.status).toBe(201);
  aliceFileId = ((await uploaded.json()) as { id: string }).id;
});

afterAll(async () => {
  await relay.close();
});

async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  const body = (await response.json()) as { error: { code: string } };
  expect(body.error.code).toMatch(/not_found/);
}

describe('client access', () => {
  it('downloads its own file', async () => {
    const path = `/api/portal/files/${aliceFileId}`;
    const response = await clientGet(relay.url, alice, path);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(sha256Of(bytes)).toBe(sha256Of(aliceBytes));
  });

  it('gets 404 for another client file', async () => {
    const path = `/api/portal/files/${aliceFileId}`;
    await expectNotFound(await clientGet(relay.url, bob, path));
  });

  it('gets 404 for any blob hash', async () => {
    const hash = sha256Of(aliceBytes);
    await expectNotFound(
      await clientGet(relay.url, alice, `/api/blobs/${hash}`),
    );
    await expectNotFound(
      await clientGet(relay.url, alice, `/api/portal/files/${hash}`),
    );
    const staffView = await clientGet(relay.url, staff, `/api/blobs/${hash}`);
    expect(staffView.status).toBe(200);
  });

  it('gets 404 for unknown and malformed ids', async () => {
    for (const id of ['missing', '..%2F..%2Fetc', 'a'.repeat(65)]) {
      const path = `/api/portal/files/${id}`;
      await expectNotFound(await clientGet(relay.url, alice, path));
    }
  });

  it('gets 404 for a deleted file', async () => {
    const uploaded = await clientUpload(
      relay.url,
      alice,
      'old.txt',
      aliceBytes,
    );
    const { id } = (await uploaded.json()) as { id: string };
    await relay.relay.docs.writeAsRelay('portal/contact-alice', (doc) => {
      const record = doc.getMap('files').get(id) as Y.Map<unknown>;
      record.set('status', 'deleted');
    });
    await expectNotFound(
      await clientGet(relay.url, alice, `/api/portal/files/${id}`),
    );
  });

  it('cannot add files to another client doc', async () => {
    const response = await clientUpload(relay.url, bob, 'x.txt', aliceBytes, {
      contactId: 'contact-alice',
    });
    expect(response.status).toBe(400);
    const aliceDoc = await relay.relay.docs.acquire('portal/contact-alice');
    const names = [...aliceDoc.doc.getMap('files').values()].map((record) =>
      (record as Y.Map<unknown>).get('name'),
    );
    relay.relay.docs.release('portal/contact-alice');
    expect(names).not.toContain('x.txt');
  });

  it('rejects staff on client routes', async () => {
    const upload = await clientUpload(relay.url, staff, 'x.txt', aliceBytes);
    await expectNotFound(upload);
  });

  it('rejects requests without a session', async () => {
    const response = await fetch(
      `${relay.url}/api/portal/files/${aliceFileId}`,
    );
    expect(response.status).toBe(401);
  });

  it('sets viewedAt on the first download', async () => {
    await relay.relay.docs.writeAsRelay('portal/contact-bob', (doc) => {
      const record = new Y.Map<unknown>();
      record.set('name', 'report.pdf');
      record.set('size', aliceBytes.length);
      record.set('sha256', sha256Of(aliceBytes));
      record.set('mediaType', 'application/pdf');
      record.set('direction', 'to-client');
      record.set('uploadedAt', new Date().toISOString());
      record.set('status', 'available');
      doc.getMap('files').set('file-for-bob', record);
    });
    const before = await relayFileRecord(
      relay.relay,
      'contact-bob',
      'file-for-bob',
    );
    expect(before?.['viewedAt']).toBeUndefined();

    const path = '/api/portal/files/file-for-bob';
    const download = await clientGet(relay.url, bob, path);
    expect(download.status).toBe(200);
    await download.arrayBuffer();
    let first: Record<string, unknown> | undefined;
    await until(async () => {
      first = await relayFileRecord(relay.relay, 'contact-bob', 'file-for-bob');
      return first?.['viewedAt'] !== undefined;
    }, 'viewedAt after the first download');
    expect(typeof first?.['viewedAt']).toBe('string');

    const again = await clientGet(relay.url, bob, path);
    expect(again.status).toBe(200);
    await again.arrayBuffer();
    const second = await relayFileRecord(
      relay.relay,
      'contact-bob',
      'file-for-bob',
    );
    expect(second?.['viewedAt']).toBe(first?.['viewedAt']);
  });
});

/** Sends a raw HTTP request as Alice and returns the status code. */
function rawUpload(body: Buffer, boundary: string): Promise<number> {
  const { port } = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const head =
      `POST /api/portal/files HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${alice}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    let response = '';
    socket.on('data', (data: Buffer) => (response += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
      resolve(match ? Number(match[1]) : 0);
    });
    // No half-close: Node's HTTP server drops a request whose socket ends
    // before the response, which would hide the status under test.
    socket.write(Buffer.concat([Buffer.from(head), body]));
  });
}

function part(name: string, value: string, filename?: string): string {
  const file = filename === undefined ? '' : `; filename="${filename}"`;
  return `--b\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`;
}

describe('malformed multipart', () => {
  const cases: [string, string][] = [
    ['truncated boundary', `${part('file', 'abc', 'a.txt')}--b`],
    ['missing end boundary', part('file', 'abc', 'a.txt')],
    ['empty field name', `${part('', 'abc', 'a.txt')}--b--\r\n`],
    [
      'thousands of parts',
      `${Array.from({ length: 5000 }, (_, i) => part(`f${i}`, 'x')).join('')}--b--\r\n`,
    ],
    [
      'a file field twice',
      `${part('file', 'one', 'a.txt')}${part('file', 'two', 'b.txt')}--b--\r\n`,
    ],
    ['no file at all', `${part('note', 'hello')}--b--\r\n`],
  ];

  for (const [name, body] of cases) {
    it(`rejects ${name} with 4xx`, async () => {
      const status = await rawUpload(Buffer.from(body), 'b');
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      const health = await fetch(`${relay.url}/healthz`);
      expect(health.status).toBe(200);
    });
  }

  it('keeps no file from rejected bodies', async () => {
    const doc = await relay.relay.docs.acquire('portal/contact-alice');
    const names = [...doc.doc.getMap('files').values()].map((record) =>
      (record as Y.Map<unknown>).get('name'),
    );
    relay.relay.docs.release('portal/contact-alice');
    expect(names.sort()).toEqual(['a.pdf', 'old.txt']);
  });
});
