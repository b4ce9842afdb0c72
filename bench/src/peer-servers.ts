/**
 * The peers' servers: `@y/websocket-server` on a `ws` server, and a bare
 * `ws` server that accepts connections and does nothing else. Both listen
 * on 127.0.0.1 port 0.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { docs, setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer, type WebSocket } from 'ws';

export interface PeerServer {
  /** `ws://127.0.0.1:<port>`; append `/<docName>` for a doc. */
  url: string;
  close(): Promise<void>;
}

/** Starts `@y/websocket-server`; the URL path is the doc name. */
export async function startYWebsocketServer(): Promise<PeerServer> {
  const server = await startServer((socket, request) =>
    setupWSConnection(socket, request),
  );
  const close = async () => {
    await server.close();
    // Without persistence the package keeps every doc, and each doc's
    // awareness timer, in a module-level map until the doc is destroyed.
    for (const doc of docs.values()) doc.destroy();
    docs.clear();
  };
  return { url: server.url, close };
}

/** Starts a `ws` server whose connections stay idle. */
export function startBareWsServer(): Promise<PeerServer> {
  return startServer(() => undefined);
}

async function startServer(
  onConnection: (socket: WebSocket, request: http.IncomingMessage) => void,
): Promise<PeerServer> {
  const server = http.createServer((_request, response) => {
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const close = async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `ws://127.0.0.1:${port}`, close };
}
