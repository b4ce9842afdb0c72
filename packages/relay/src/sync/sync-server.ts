import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '@portico/engine/protocol';
import type { Accounts } from '../accounts/accounts.js';
import { authenticateRequest } from '../accounts/credentials.js';
import type { RelayMetrics } from '../metrics.js';
import type { Account } from '../storage/types.js';
import { docAccess, toPrincipal, type Principal } from './access.js';
import {
  MultiplexConnection,
  SingleDocConnection,
  type SyncConnection,
} from './connection.js';
import type { DocManager } from './doc-manager.js';

export interface SyncServerOptions {
  accounts: Accounts;
  docs: DocManager;
  metrics: RelayMetrics;
  logger: Logger;
  publicOrigin: string;
  maxMessageBytes: number;
  maxDocsPerConnection: number;
  maxConnectionsPerAccount: number;
}

/** The endpoint a WebSocket upgrade asked for. */
type Target = { kind: 'multiplexed' } | { kind: 'single'; docName: string };

/**
 * Accepts WebSocket upgrades on `/sync` and `/sync/<docName>` after
 * authenticating them, and tracks every open connection for limits and
 * shutdown.
 */
export class SyncServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<SyncConnection>();
  private readonly perAccount = new Map<string, number>();
  private nextConnectionId = 1;

  constructor(private readonly options: SyncServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
    });
  }

  /** Handler for the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) =>
      this.options.logger.debug({ err: error }, 'upgrade socket error'),
    );
    this.upgrade(req, socket, head).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'WebSocket upgrade failed');
      rejectUpgrade(socket, 500);
    });
  }

  /** Closes every connection with 1001 and stops accepting new ones. */
  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.close(CloseCode.goingAway, 'relay shutting down');
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const target = parseTarget(req.url ?? '/');
    if (!target) return rejectUpgrade(socket, 404);

    const auth = await authenticateRequest(
      req,
      this.options.accounts,
      this.options.publicOrigin,
    );
    if (!auth.ok) {
      return this.refuse(socket, auth.status, auth.code, undefined);
    }
    const { account } = auth;
    if (account.mustChangePassword) {
      return this.refuse(socket, 403, 'password_change_required', account);
    }
    const access =
      target.kind === 'single' ? docAccess(account, target.docName) : 'write';
    if (access === 'none') {
      return this.refuse(socket, 403, 'forbidden_doc', account);
    }

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (target.kind === 'single') {
        this.accept(ws, account, target.docName, access);
      } else {
        this.accept(ws, account);
      }
    });
  }

  private refuse(
    socket: Duplex,
    status: number,
    reason: string,
    account: Account | undefined,
  ): void {
    this.options.metrics.authFailures.inc({ reason });
    this.options.logger.info(
      { accountId: account?.id, status, reason },
      'refused a WebSocket upgrade',
    );
    rejectUpgrade(socket, status);
  }

  private accept(
    ws: WebSocket,
    fullAccount: Account,
    docName?: string,
    access?: 'read' | 'write',
  ): void {
    const endpoint = docName === undefined ? 'multiplexed' : 'single';
    const account = toPrincipal(fullAccount);
    const logger = this.options.logger.child({
      connection: this.nextConnectionId++,
      accountId: account.id,
      endpoint,
    });
    if (this.overAccountLimit(ws, account, logger)) return;

    const options = { ...this.options, logger };
    const connection =
      docName !== undefined && access !== undefined
        ? new SingleDocConnection(ws, account, options, docName, access)
        : new MultiplexConnection(ws, account, options);
    this.track(ws, connection, endpoint, logger);
    logger.info({ doc: docName }, 'connection opened');
  }

  /**
   * Closes the new socket with 4429 when the account already has the
   * maximum number of connections open, before it can follow any doc.
   */
  private overAccountLimit(
    ws: WebSocket,
    account: Principal,
    logger: Logger,
  ): boolean {
    const max = this.options.maxConnectionsPerAccount;
    if ((this.perAccount.get(account.id) ?? 0) < max) return false;
    logger.warn({ max }, 'closing a connection over the per-account limit');
    ws.on('error', (error) =>
      logger.debug({ err: error }, 'WebSocket error while closing'),
    );
    ws.on('close', (code) =>
      this.options.metrics.connectionsClosed.inc({ code: String(code) }),
    );
    ws.close(CloseCode.tooMany, `limit of ${max} connections reached`);
    return true;
  }

  private track(
    ws: WebSocket,
    connection: SyncConnection,
    endpoint: string,
    logger: Logger,
  ): void {
    const accountId = connection.account.id;
    this.connections.add(connection);
    this.perAccount.set(accountId, (this.perAccount.get(accountId) ?? 0) + 1);
    this.options.metrics.connections.inc({ endpoint });

    ws.on('close', (code, reason) => {
      this.connections.delete(connection);
      const left = (this.perAccount.get(accountId) ?? 1) - 1;
      if (left === 0) this.perAccount.delete(accountId);
      else this.perAccount.set(accountId, left);
      this.options.metrics.connections.dec({ endpoint });
      this.options.metrics.connectionsClosed.inc({ code: String(code) });
      logger.info({ code, reason: reason.toString() }, 'connection closed');
    });
  }
}

/** Maps a request URL to an endpoint; undefined for other paths. */
function parseTarget(url: string): Target | undefined {
  const pathname = url.split('?', 1)[0] ?? '';
  if (pathname === '/sync') return { kind: 'multiplexed' };
  if (!pathname.startsWith('/sync/')) return undefined;
  try {
    const docName = decodeURIComponent(pathname.slice('/sync/'.length));
    return docName ? { kind: 'single', docName } : undefined;
  } catch {
    return undefined;
  }
}

/** Rejects an upgrade with a plain HTTP error response and closes it. */
function rejectUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
