import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '@portico/engine/protocol';

/** A connection following a doc; the relay sends it y-websocket messages. */
export interface DocFollower {
  /** Sends one y-websocket message about this doc. */
  send(message: Uint8Array): void;
  /** Awareness client ids that this follower set, removed when it leaves. */
  readonly awarenessClients: Set<number>;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/**
 * One doc held in memory: the Yjs doc, its awareness, and the connections
 * following it. Every applied update and awareness change is broadcast
 * here, so both endpoints see the same stream.
 */
export class RelayDoc {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly followers = new Set<DocFollower>();

  constructor(readonly name: string) {
    // The relay itself has no presence; only clients' states are relayed.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) =>
      this.broadcastUpdate(update, origin),
    );
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) =>
      this.broadcastAwareness(change, origin),
    );
  }

  /** Sync step 1 (the relay's state vector) for a new follower. */
  syncStep1Message(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    return encoding.toUint8Array(encoder);
  }

  /** Sync step 2: everything the holder of `stateVector` lacks. */
  syncStep2Message(stateVector: Uint8Array): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(
      encoder,
      Y.encodeStateAsUpdate(this.doc, stateVector),
    );
    return encoding.toUint8Array(encoder);
  }

  /** Awareness of every known client, or undefined when there is none. */
  awarenessMessage(): Uint8Array | undefined {
    const clients = [...this.awareness.getStates().keys()];
    if (clients.length === 0) return undefined;
    return encodeAwareness(this.awareness, clients);
  }

  /** Removes a leaving follower and the awareness states it set. */
  removeFollower(follower: DocFollower): void {
    this.followers.delete(follower);
    if (follower.awarenessClients.size > 0) {
      awarenessProtocol.removeAwarenessStates(
        this.awareness,
        [...follower.awarenessClients],
        null,
      );
    }
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }

  private broadcastUpdate(update: Uint8Array, origin: unknown): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const follower of this.followers) {
      if (follower !== origin) follower.send(message);
    }
  }

  private broadcastAwareness(change: AwarenessChange, origin: unknown): void {
    const changed = [...change.added, ...change.updated, ...change.removed];
    if (isFollower(origin)) {
      for (const id of change.added) origin.awarenessClients.add(id);
      for (const id of change.removed) origin.awarenessClients.delete(id);
    }
    const message = encodeAwareness(this.awareness, changed);
    for (const follower of this.followers) follower.send(message);
  }
}

function encodeAwareness(
  awareness: awarenessProtocol.Awareness,
  clients: number[],
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(
    encoder,
    awarenessProtocol.encodeAwarenessUpdate(awareness, clients),
  );
  return encoding.toUint8Array(encoder);
}

function isFollower(value: unknown): value is DocFollower {
  return (
    typeof value === 'object' &&
    value !== null &&
    'awarenessClients' in value &&
    value.awarenessClients instanceof Set
  );
}
