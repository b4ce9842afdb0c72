/**
 * Node helpers: engine options backed by `fake-indexeddb` and the `ws`
 * WebSocket client, which sends the bearer token in a header.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import WebSocket from 'ws';
import type { EngineOptions } from './options.js';

export interface NodeEngineInput {
  relayUrl: string;
  token?: string;
  databaseName: string;
  /** Defaults to a new in-memory factory; pass one to reopen its data. */
  indexedDB?: IDBFactory;
}

export function nodeEngineOptions(input: NodeEngineInput): EngineOptions {
  const { token } = input;
  return {
    relayUrl: input.relayUrl,
    ...(token === undefined ? {} : { token }),
    databaseName: input.databaseName,
    indexedDB: input.indexedDB ?? new IDBFactory(),
    IDBKeyRange,
    createWebSocket: (url) => createNodeWebSocket(url, token),
  };
}

/** Opens a `ws` socket that looks like the browser `WebSocket` to the engine. */
export function createNodeWebSocket(
  url: string,
  token: string | undefined,
): globalThis.WebSocket {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const socket = new WebSocket(url, { headers });
  // ws implements the browser event-handler API the engine relies on:
  // binaryType 'arraybuffer', onopen, onmessage, onclose, send and close.
  return socket as unknown as globalThis.WebSocket;
}
