/**
 * Wire protocol shared by the engine and the relay.
 *
 * The single-doc endpoint `/sync/<docName>` speaks plain y-websocket: each
 * binary frame is one message that starts with a varUint message type. The
 * multiplexed endpoint `/sync` carries the same messages for many docs over
 * one socket, each prefixed by the doc name as a varString. Portico adds
 * message types from 100 upwards, sent only on the multiplexed endpoint so
 * that stock y-websocket clients never see them.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** y-protocols sync message (step 1, step 2 or update follows). */
export const MESSAGE_SYNC = 0;
/** y-protocols awareness update. */
export const MESSAGE_AWARENESS = 1;
/** y-websocket auth message; unused by Portico, accepted and ignored. */
export const MESSAGE_AUTH = 2;
/** y-websocket request for the current awareness states. */
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Relay to client: the relay refused this doc on this connection. Payload:
 * varUint close code (one of `CloseCode`), varString reason. The connection
 * stays open for the client's other docs.
 */
export const MESSAGE_DENIED = 101;
/**
 * Relay to client: the relay has durably stored every write message (sync
 * step 2 or update) that this connection sent for this doc, up to the one
 * numbered by the payload. The payload is a varUint that counts from 1 per
 * doc per connection, and write messages the relay dropped are not counted.
 */
export const MESSAGE_STORED = 102;
/** Client to relay: stop following this doc on this connection. */
export const MESSAGE_UNSUBSCRIBE = 103;

/**
 * WebSocket close codes. Codes 4400 to 4499 tell y-websocket clients not to
 * retry, so they are used for errors that retrying cannot fix.
 */
export const CloseCode = {
  /** The relay is shutting down; reconnect later. */
  goingAway: 1001,
  /** A frame could not be decoded (bad varint, length past the end, text). */
  malformed: 4400,
  /** No valid session cookie or bearer token. */
  unauthenticated: 4401,
  /** The account may not open this doc, or must change its password. */
  forbidden: 4403,
  /** A frame exceeded the configured maximum message size. */
  tooLarge: 4413,
  /** Too many docs on this connection or connections for this account. */
  tooMany: 4429,
  /** The relay failed to store an update; the client should reconnect. */
  storageFailed: 4500,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Name of the staff-only doc with the firm's records. */
export const FIRM_DOC = 'firm';

/** Returns the doc name of a contact's portal doc. */
export function portalDocName(contactId: string): string {
  return `portal/${contactId}`;
}

/** Returns the contact id of a portal doc name, or undefined for others. */
export function contactIdOfDoc(docName: string): string | undefined {
  const match = /^portal\/([A-Za-z0-9_-]{1,64})$/.exec(docName);
  return match?.[1];
}

/** Returns true for the doc names protocol v1 defines. */
export function isValidDocName(docName: string): boolean {
  return docName === FIRM_DOC || contactIdOfDoc(docName) !== undefined;
}

/** Prefixes one y-websocket message with its doc name for `/sync`. */
export function encodeMultiplexed(
  docName: string,
  message: Uint8Array,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, docName);
  encoding.writeUint8Array(encoder, message);
  return encoding.toUint8Array(encoder);
}

/**
 * Splits a `/sync` frame into doc name and the y-websocket message. Throws
 * when the doc name is truncated or its declared length runs past the end.
 */
export function decodeMultiplexed(frame: Uint8Array): {
  docName: string;
  message: Uint8Array;
} {
  const decoder = decoding.createDecoder(frame);
  const docName = decoding.readVarString(decoder);
  const message = decoding.readTailAsUint8Array(decoder);
  return { docName, message };
}

/** Builds a `MESSAGE_STORED` message for a count of stored writes. */
export function encodeStored(count: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_STORED);
  encoding.writeVarUint(encoder, count);
  return encoding.toUint8Array(encoder);
}

/** Builds a `MESSAGE_DENIED` message with a close code and a reason. */
export function encodeDenied(code: CloseCode, reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_DENIED);
  encoding.writeVarUint(encoder, code);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

/** Builds a `MESSAGE_UNSUBSCRIBE` message. */
export function encodeUnsubscribe(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_UNSUBSCRIBE);
  return encoding.toUint8Array(encoder);
}

/** Session cookie set by `POST /api/auth/login`. */
export const SESSION_COOKIE = 'portico_session';
