/**
 * Remembers what the bridge itself wrote to RxDB, so that the change events
 * of those writes are not copied back into Yjs. Comparing an event with the
 * current Yjs state instead would be wrong: Yjs may already have moved on,
 * and the bridge would then write an old value back.
 */
import { canonicalJson } from '../json.js';

/** Stands for a removal in the list of expected writes. */
export const REMOVED = '\u0000removed';

export class EchoGuard {
  /** Per collection and primary key, the serialized rows written. */
  private readonly expected = new Map<string, string[]>();

  expect(collection: string, id: string, row: object | undefined): void {
    const key = slot(collection, id);
    const serialized = row === undefined ? REMOVED : canonicalJson(row);
    const list = this.expected.get(key);
    if (list === undefined) this.expected.set(key, [serialized]);
    else list.push(serialized);
  }

  /**
   * Returns true, and removes the entry, when the event matches a write the
   * bridge made. Entries before the match are dropped too: RxDB emits the
   * events of one key in write order, so they will never arrive.
   */
  consume(collection: string, id: string, row: object | undefined): boolean {
    const key = slot(collection, id);
    const list = this.expected.get(key);
    if (list === undefined) return false;
    const serialized = row === undefined ? REMOVED : canonicalJson(row);
    const index = list.indexOf(serialized);
    if (index < 0) return false;
    list.splice(0, index + 1);
    if (list.length === 0) this.expected.delete(key);
    return true;
  }
}

function slot(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}
