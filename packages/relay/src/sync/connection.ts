import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import {
  CloseCode,
  encodeDenied,
  encodeMultiplexed,
} from '@portico/engine/protocol';
import type { RelayMetrics } from '../metrics.js';
import { docAccess, type DocAccess, type Principal } from './access.js';
import type { DocManager } from './doc-manager.js';
import { Follower, INTERNAL_ERROR, type FollowerContext } from './follower.js';
import {
  MalformedMessageError,
  parseClientMessage,
  parseMultiplexedFrame,
} from './wire.js';

export interface ConnectionOptions {
  docs: DocManager;
  metrics: RelayMetrics;
  logger: Logger;
  maxDocsPerConnection: number;
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * One authenticated WebSocket. Subclasses decide how frames map to docs,
 * and this class owns the socket's life. A malformed frame or an
 * unexpected error closes this one connection and nothing else.
 */
export abstract class SyncConnection {
  protected readonly followers = new Map<string, Follower>();
  protected readonly logger: Logger;
  private closing = false;

  constructor(
    protected readonly ws: WebSocket,
    readonly account: Principal,
    protected readonly options: ConnectionOptions,
  ) {
    this.logger = options.logger;
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.stopFollowing());
    ws.on('error', (error) => {
      // ws closes the socket itself after an error (for example 1009 for
      // a frame over maxPayload); log it so the reason is not lost.
      this.logger.warn(
        { err: error, accountId: account.id },
        'WebSocket error; connection closing',
      );
    });
  }

  /** Closes the connection with a code, stopping all its docs at once. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.stopFollowing();
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(code, truncateReason(reason));
    }
  }

  protected abstract receive(frame: Uint8Array): void;

  protected followerContext(multiplexed: boolean): FollowerContext {
    return {
      docs: this.options.docs,
      metrics: this.options.metrics,
      logger: this.logger,
      multiplexed,
      sendForDoc: (docName, message) => this.sendForDoc(docName, message),
      fail: (code, reason, error) => this.fail(code, reason, error),
    };
  }

  protected abstract sendForDoc(docName: string, message: Uint8Array): void;

  protected sendFrame(frame: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN || this.closing) return;
    // NOTE: no backpressure yet. A reader slower than the doc's write rate
    // makes ws buffer frames in memory until it catches up or disconnects.
    this.ws.send(frame);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    try {
      if (!isBinary) {
        throw new MalformedMessageError('text frames are not supported');
      }
      this.receive(toBytes(data));
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        this.fail(CloseCode.malformed, error.message);
      } else {
        this.fail(INTERNAL_ERROR, 'handling a frame failed', error);
      }
    }
  }

  /**
   * Closes with `code`. A malformed message is logged as a warning and
   * counted; any other cause is logged as an error with `error`.
   */
  private fail(code: number, reason: string, error?: unknown): void {
    if (code === CloseCode.malformed) {
      this.options.metrics.malformedMessages.inc();
      this.logger.warn(
        { accountId: this.account.id, reason },
        'closing a connection that sent a malformed message',
      );
    } else {
      this.logger.error(
        { err: error, accountId: this.account.id, code, reason },
        'closing a connection after an error',
      );
    }
    this.close(code, reason);
  }

  private stopFollowing(): void {
    for (const follower of this.followers.values()) follower.stop();
    this.followers.clear();
  }
}

/** `/sync/<docName>`: plain y-websocket for one doc. */
export class SingleDocConnection extends SyncConnection {
  private readonly follower: Follower;

  constructor(
    ws: WebSocket,
    account: Principal,
    options: ConnectionOptions,
    readonly docName: string,
    access: Exclude<DocAccess, 'none'>,
  ) {
    super(ws, account, options);
    this.follower = new Follower(
      docName,
      access === 'write',
      this.followerContext(false),
    );
    this.followers.set(docName, this.follower);
    this.follower.start();
  }

  protected receive(frame: Uint8Array): void {
    this.follower.receive(parseClientMessage(frame, false));
  }

  protected sendForDoc(_docName: string, message: Uint8Array): void {
    this.sendFrame(message);
  }
}

/** `/sync`: many docs over one socket, each frame prefixed by doc name. */
export class MultiplexConnection extends SyncConnection {
  /** Docs refused as forbidden; later messages for them are ignored. */
  private readonly denied = new Set<string>();

  protected receive(frame: Uint8Array): void {
    const { docName, message } = parseMultiplexedFrame(frame);
    const parsed = parseClientMessage(message, true);
    if (this.denied.has(docName)) return;

    const existing = this.followers.get(docName);
    if (parsed.kind === 'unsubscribe') {
      existing?.stop();
      this.followers.delete(docName);
      return;
    }
    const follower = existing ?? this.follow(docName);
    follower?.receive(parsed);
  }

  protected sendForDoc(docName: string, message: Uint8Array): void {
    let frame = multiplexedFrames.get(message);
    if (!frame) {
      frame = encodeMultiplexed(docName, message);
      multiplexedFrames.set(message, frame);
    }
    this.sendFrame(frame);
  }

  private follow(docName: string): Follower | undefined {
    const access = docAccess(this.account, docName);
    if (access === 'none') {
      this.deny(docName, CloseCode.forbidden, 'access to this doc is denied');
      return undefined;
    }
    const max = this.options.maxDocsPerConnection;
    if (this.followers.size >= max) {
      this.deny(docName, CloseCode.tooMany, `limit of ${max} docs reached`);
      return undefined;
    }
    const follower = new Follower(
      docName,
      access === 'write',
      this.followerContext(true),
    );
    this.followers.set(docName, follower);
    follower.start();
    return follower;
  }

  private deny(docName: string, code: CloseCode, reason: string): void {
    this.sendForDoc(docName, encodeDenied(code, reason));
    if (code !== CloseCode.forbidden) return;
    this.options.metrics.authFailures.inc({ reason: 'forbidden_doc' });
    this.logger.info(
      { accountId: this.account.id, doc: docName },
      'denied a doc on a multiplexed connection',
    );
    // Bounded so that a client sending random names cannot grow it.
    if (this.denied.size < this.options.maxDocsPerConnection) {
      this.denied.add(docName);
    }
  }
}

/**
 * Prefixed frames by message, so a broadcast to many `/sync` connections
 * encodes the frame once. Each message object belongs to one doc, and the
 * entry goes away with the message.
 */
const multiplexedFrames = new WeakMap<Uint8Array, Uint8Array>();

/** Copies a received frame into a Uint8Array that owns its memory. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return new Uint8Array(data);
}

function truncateReason(reason: string): string {
  let truncated = reason;
  while (Buffer.byteLength(truncated) > MAX_CLOSE_REASON_BYTES) {
    truncated = truncated.slice(0, -1);
  }
  return truncated;
}
