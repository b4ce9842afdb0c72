/**
 * Builds the Yjs update for a write made by the relay itself, such as an
 * outbox status or a client's upload. The live doc is left alone: the
 * change runs on a scratch copy, and the caller stores the captured update
 * before any follower receives it, as for a client's write.
 */
import * as Y from 'yjs';

/** Origin of relay writes when they are applied to a live doc. */
export const RELAY_ORIGIN = Object.freeze({ writer: 'relay' });

/**
 * Runs `mutate` in one transaction on a copy of `live` and returns the
 * update it made, or undefined when it changed nothing.
 *
 * The copy gets a fresh random client id that the live doc has never
 * seen, so its new items can clash with no other writer's, in this
 * process or in another relay process on the same data.
 *
 * NOTE: each write adds one client id to the doc's state vector, and the
 * copy costs one encode of the whole doc. Both are fine for the rare
 * relay writes (outbox states, account state, uploads); a burst of many
 * small writes should be batched into one `mutate`.
 */
export function buildRelayUpdate(
  live: Y.Doc,
  mutate: (doc: Y.Doc) => void,
): Uint8Array | undefined {
  const scratch = new Y.Doc({ gc: live.gc });
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(live));
    scratch.clientID = unusedClientId(live);
    const updates: Uint8Array[] = [];
    scratch.on('update', (update: Uint8Array) => updates.push(update));
    scratch.transact(() => mutate(scratch), RELAY_ORIGIN);
    if (updates.length === 0) return undefined;
    return updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
  } finally {
    scratch.destroy();
  }
}

/** Picks a random 32-bit client id that has written nothing to `doc`. */
function unusedClientId(doc: Y.Doc): number {
  const ids = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(ids);
    const id = ids[0] ?? 0;
    if (!doc.store.clients.has(id)) return id;
  }
}
