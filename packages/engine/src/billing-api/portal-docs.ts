/**
 * Staff writes into a contact's portal doc. Records go straight to Yjs
 * with the API origin, as the record stores do for the firm doc, and a
 * write resolves once it is stored locally and projected into RxDB.
 */
import * as Y from 'yjs';
import { createRecordMap, setChangedFields } from '../bridge/bridge.js';
import type { JsonRecord } from '../collections.js';
import type { EngineCore } from '../engine-core.js';
import { ORIGIN_API, type DocReplica } from '../persistence/doc-replica.js';
import { portalDocName } from '../protocol.js';

export class PortalDocs {
  constructor(private readonly core: EngineCore) {}

  /** Returns the fields of one record, or undefined when it is absent. */
  async read(
    contactId: string,
    mapName: string,
    key: string,
  ): Promise<JsonRecord | undefined> {
    const replica = await this.core.follow(portalDocName(contactId));
    const record = replica.doc.getMap<unknown>(mapName).get(key);
    return record instanceof Y.Map
      ? (record as Y.Map<unknown>).toJSON()
      : undefined;
  }

  /**
   * Makes the record's fields equal `fields`: changed fields are set,
   * missing ones deleted, and a new record is created when there is none.
   * Unchanged fields are not written, so concurrent edits to them survive.
   */
  async write(
    contactId: string,
    mapName: string,
    key: string,
    fields: JsonRecord,
  ): Promise<void> {
    const replica = await this.core.follow(portalDocName(contactId));
    replica.doc.transact(() => {
      const records = replica.doc.getMap<unknown>(mapName);
      const record = records.get(key);
      if (record instanceof Y.Map) {
        const map = record as Y.Map<unknown>;
        setChangedFields(map, map.toJSON(), fields);
      } else {
        records.set(key, createRecordMap(fields));
      }
    }, ORIGIN_API);
    await this.settle(replica);
  }

  private async settle(replica: DocReplica): Promise<void> {
    await Promise.all([replica.whenPersisted(), this.core.bridge.whenIdle()]);
  }
}
