/**
 * Serves the built portal the way the relay will: static files from
 * `dist` at `/`, `index.html` for every other page path, and `/api` and
 * `/sync` passed through to a real relay. The `Host` header is kept, so the
 * relay receives the browser's own origin and its Origin checks pass.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface PortalServer {
  url: string;
  /**
   * Cuts the browser off from the relay while the page stays served:
   * open sync sockets drop and new relay requests fail as a network error.
   */
  setRelayReachable(reachable: boolean): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and a free port, proxying to `relayUrl`. */
export async function startPortalServer(
  relayUrl: string,
): Promise<PortalServer> {
  await stat(path.join(DIST_DIR, 'index.html')).catch(() => {
    throw new Error(
      `No built portal in ${DIST_DIR}; run "npm run build" first.`,
    );
  });
  const relay = new URL(relayUrl);
  const tunnels = new Set<net.Socket>();
  let reachable = true;
  const server = http.createServer((req, res) => {
    if (!isRelayPath(req.url)) void serveStatic(req, res);
    else if (reachable) proxyRequest(relay, req, res);
    else res.destroy();
  });
  server.on('upgrade', (req, socket: net.Socket) => {
    if (!reachable) return socket.destroy();
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    proxyUpgrade(relay, req, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRelayReachable(value) {
      reachable = value;
      if (!value) for (const socket of tunnels) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        // Upgraded sockets are no longer HTTP connections of the server.
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isRelayPath(url = '/'): boolean {
  return url.startsWith('/api/') || url === '/sync' || url.startsWith('/sync/');
}

async function serveStatic(req: IncomingMessage, res: ServerResponse) {
  const pathname = new URL(req.url ?? '/', 'http://portal').pathname;
  const candidate = path.join(DIST_DIR, path.normalize(pathname));
  const inside = candidate.startsWith(DIST_DIR + path.sep);
  const isFile = inside && (await stat(candidate).catch(() => null))?.isFile();
  const file = isFile ? candidate : path.join(DIST_DIR, 'index.html');
  const type = MEDIA_TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type });
  createReadStream(file).pipe(res);
}

function proxyRequest(relay: URL, req: IncomingMessage, res: ServerResponse) {
  const upstream = http.request(
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
  upstream.on('error', () => {
    // The relay is stopped, as in the offline test: act like a dead link.
    res.destroy();
  });
  req.pipe(upstream);
}

// Replays the upgrade request to the relay and then joins the two sockets.
function proxyUpgrade(relay: URL, req: IncomingMessage, socket: net.Socket) {
  const upstream = net.connect(Number(relay.port), relay.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
}
