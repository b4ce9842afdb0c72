/**
 * Strict decoding of client messages. lib0's readers clamp a declared
 * length to the bytes that exist instead of failing, so every length here
 * is checked against what remains before it is read.
 */
import * as decoding from 'lib0/decoding';
import {
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  MESSAGE_UNSUBSCRIBE,
} from '@portico/engine/protocol';

/** y-protocols sync message subtypes. */
const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/** Doc names longer than this cannot be valid and are not decoded. */
const MAX_DOC_NAME_BYTES = 256;

/** A frame or message the relay cannot decode; closes with 4400. */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

/** A decoded y-websocket message from a client. */
export type ClientMessage =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  /** Sync step 2 and update carry a Yjs update; both are writes. */
  | { kind: 'syncStep2' | 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' }
  /** y-websocket's auth message; the relay ignores it. */
  | { kind: 'auth' }
  /** Portico: stop following the doc (multiplexed endpoint only). */
  | { kind: 'unsubscribe' };

/** Splits a `/sync` frame into its doc name and message. */
export function parseMultiplexedFrame(frame: Uint8Array): {
  docName: string;
  message: Uint8Array;
} {
  const decoder = decoding.createDecoder(frame);
  const nameBytes = readBytes(decoder, 'doc name');
  if (nameBytes.length > MAX_DOC_NAME_BYTES) {
    throw new MalformedMessageError('doc name too long');
  }
  return {
    docName: decodeUtf8(nameBytes),
    message: frame.subarray(decoder.pos),
  };
}

/**
 * Decodes one y-websocket message. `allowPortico` accepts Portico's own
 * message types, which only the multiplexed endpoint defines.
 */
export function parseClientMessage(
  message: Uint8Array,
  allowPortico: boolean,
): ClientMessage {
  try {
    return decodeMessage(decoding.createDecoder(message), allowPortico);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(describe(error));
  }
}

function decodeMessage(
  decoder: decoding.Decoder,
  allowPortico: boolean,
): ClientMessage {
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MESSAGE_SYNC:
      return expectEnd(decoder, decodeSync(decoder));
    case MESSAGE_AWARENESS:
      return expectEnd(decoder, {
        kind: 'awareness',
        update: readBytes(decoder, 'awareness update'),
      });
    case MESSAGE_QUERY_AWARENESS:
      return expectEnd(decoder, { kind: 'queryAwareness' });
    case MESSAGE_AUTH:
      return { kind: 'auth' };
    case MESSAGE_UNSUBSCRIBE:
      if (allowPortico) return expectEnd(decoder, { kind: 'unsubscribe' });
      break;
  }
  throw new MalformedMessageError(`unknown message type ${type}`);
}

function decodeSync(decoder: decoding.Decoder): ClientMessage {
  const subtype = decoding.readVarUint(decoder);
  switch (subtype) {
    case SYNC_STEP_1:
      return {
        kind: 'syncStep1',
        stateVector: readBytes(decoder, 'state vector'),
      };
    case SYNC_STEP_2:
      return { kind: 'syncStep2', update: readBytes(decoder, 'update') };
    case SYNC_UPDATE:
      return { kind: 'update', update: readBytes(decoder, 'update') };
  }
  throw new MalformedMessageError(`unknown sync message type ${subtype}`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new MalformedMessageError('doc name is not valid UTF-8');
  }
}

/** Reads a varUint length and that many bytes, failing past the end. */
function readBytes(decoder: decoding.Decoder, field: string): Uint8Array {
  let length: number;
  try {
    length = decoding.readVarUint(decoder);
  } catch {
    throw new MalformedMessageError(`truncated length of ${field}`);
  }
  const remaining = decoder.arr.length - decoder.pos;
  if (length > remaining) {
    throw new MalformedMessageError(
      `${field} declares ${length} bytes but ${remaining} remain`,
    );
  }
  return decoding.readUint8Array(decoder, length);
}

function expectEnd<T>(decoder: decoding.Decoder, value: T): T {
  const extra = decoder.arr.length - decoder.pos;
  if (extra > 0) {
    throw new MalformedMessageError(`${extra} unexpected trailing bytes`);
  }
  return value;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
