/**
 * The peer of the blob benchmark: a bare `node:http` server with no
 * framework, no multipart parsing and no hashing.
 *
 * - `PUT /files/<name>` streams the raw request body into a file, fsyncs
 *   it and returns 201 with the size.
 * - `GET /files/<name>` streams the file back with its `Content-Length`.
 *
 * Files live in a temporary folder that `close` removes.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PeerServer } from './peer-servers.js';

const FILE_PATH = /^\/files\/([a-z0-9-]{1,64})$/;

export async function startRawFileServer(): Promise<PeerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-bench-raw-'));
  const server = createServer((req, res) => {
    handle(dir, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}`, close };
}

async function handle(
  dir: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const name = FILE_PATH.exec(req.url ?? '')?.[1];
  if (name === undefined) {
    res.writeHead(404).end(`No route for ${req.url ?? ''}; use /files/<name>.`);
    return;
  }
  const path = join(dir, name);
  if (req.method === 'PUT') {
    const size = await receiveFile(req, path);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ size }));
    return;
  }
  if (req.method === 'GET') {
    const { size } = await stat(path);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
    });
    await pipeline(createReadStream(path), res);
    return;
  }
  res.writeHead(405).end(`Method ${req.method ?? ''} is not allowed.`);
}

/**
 * Writes the body into `path` as it arrives, fsyncs it and returns its
 * size. Each write is awaited, so the request is paused while the disk
 * is busy and the server buffers at most one socket read.
 */
async function receiveFile(req: IncomingMessage, path: string) {
  const file = await open(path, 'w');
  try {
    let size = 0;
    for await (const block of req as AsyncIterable<Buffer>) {
      await file.write(block);
      size += block.length;
    }
    await file.sync();
    return size;
  } finally {
    await file.close();
  }
}
