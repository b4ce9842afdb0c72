import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBlob } from '../../src/blobs/send.js';
import { FsBlobStore } from '../../src/blobs/store.js';
import { makeDataDir, removeDir, sha256Of } from './harness.js';

const bytes = Buffer.from('<html><script>alert(1)</script></html>');
const hash = sha256Of(bytes);

let dataDir: string;
let server: Server;
let url: string;

// A route shaped like the portal download: the record, not the query,
// supplies the name and the uploader's media type.
beforeAll(async () => {
  dataDir = await makeDataDir();
  const store = new FsBlobStore({ dataDir });
  await store.put(Readable.from([bytes]), { maxBytes: 1024 });
  const app = express();
  app.get('/files/:type', async (req, res) => {
    const mediaType = decodeURIComponent(String(req.params.type));
    await sendBlob(res, req, store, hash, { name: 'report.pdf', mediaType });
  });
  app.get('/missing', async (req, res) => {
    await sendBlob(res, req, store, 'c'.repeat(64), { name: 'x.pdf' });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await removeDir(dataDir);
});

describe('sendBlob', () => {
  it.each([
    ['text/html', 'application/octet-stream'],
    ['image/svg+xml', 'application/octet-stream'],
    ['application/xml', 'application/octet-stream'],
    ['application/pdf', 'application/pdf'],
    ['IMAGE/PNG; charset=binary', 'image/png'],
  ])('sends a recorded %s as %s', async (recorded, sent) => {
    const response = await fetch(
      `${url}/files/${encodeURIComponent(recorded)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(sent);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers HEAD with headers only', async () => {
    const response = await fetch(`${url}/files/application%2Fpdf`, {
      method: 'HEAD',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('leaves a missing blob to the error handler', async () => {
    const response = await fetch(`${url}/missing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-disposition')).toBeNull();
  });
});
