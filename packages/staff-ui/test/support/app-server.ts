/// <reference types="node" />
/**
 * Serves the built staff app at /staff/ and forwards /api and /sync to a
 * relay, the way the relay will serve the app itself. Browser tests use it
 * so that the page, its cookie and its WebSocket share one origin.
 */
import { readFile } from 'node:fs/promises';
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Duplex } from 'node:stream';

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface AppServer {
  origin: string;
  /** Sets the relay that /api and /sync go to. */
  setRelay(relayUrl: string): void;
  close(): Promise<void>;
}

export async function startAppServer(distDir: string): Promise<AppServer> {
  let relay: URL | undefined;
  const server = createServer((req, res) => {
    if (isRelayPath(req.url) && relay) forward(req, res, relay);
    else void serveFile(distDir, req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (relay && isRelayPath(req.url)) tunnel(req, socket, head, relay);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setRelay: (url) => (relay = new URL(url)),
    close: () => closeServer(server),
  };
}

function isRelayPath(url: string | undefined): boolean {
  return url !== undefined && /^\/(api|sync)(\/|\?|$)/.test(url);
}

async function serveFile(
  distDir: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (!path.startsWith('/staff/')) return notFound(res);
  const relative = normalize(path.slice('/staff/'.length) || 'index.html');
  if (relative.startsWith('..')) return notFound(res);
  try {
    const body = await readFile(join(distDir, relative));
    const type = MEDIA_TYPES[extname(relative)] ?? 'application/octet-stream';
    // Vary: Origin as CORS-aware servers send it; the service worker's
    // cache lookups must not miss because of it.
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-cache',
      vary: 'Origin',
    });
    res.end(body);
  } catch {
    notFound(res);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
}

function forward(req: IncomingMessage, res: ServerResponse, relay: URL) {
  const upstream = request(
    {
      host: relay.hostname,
      port: relay.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

/** Replays the upgrade request to the relay and joins the two sockets. */
function tunnel(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  relay: URL,
): void {
  const upstream = connect(Number(relay.port), relay.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
