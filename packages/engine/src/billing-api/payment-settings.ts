/**
 * Whether clients may pay online. The firm-wide default is a record in
 * the firm doc: the top-level map `settings`, key `settings`, with the
 * fields of `FirmSettings`. It is staff-only data, outside RxDB, so it
 * adds no collection to the engine.
 *
 * Each client's portal settings record may carry `allowPaymentsOverride`
 * (true or false), which wins over the firm default. Its `allowPayments`
 * field is the value in effect for that client, the one the portal and
 * the relay read. Staff engines keep it equal to override ?? default.
 */
import type { Subscription } from 'rxjs';
import * as Y from 'yjs';
import type { JsonRecord } from '../collections.js';
import type { EngineCore } from '../engine-core.js';
import { ORIGIN_API, type DocReplica } from '../persistence/doc-replica.js';
import type { PortalDocs } from './portal-docs.js';

/** Top-level map of the firm doc and the key of its one record. */
export const FIRM_SETTINGS_MAP = 'settings';
export const FIRM_SETTINGS_KEY = 'settings';
/** Map and key of the settings record in a portal doc. */
export const PORTAL_SETTINGS_MAP = 'settings';
export const PORTAL_SETTINGS_KEY = 'settings';

/** Firm-wide portal settings. */
export interface FirmSettings {
  /** Default for every client without an override. */
  allowPayments: boolean;
  /** Name for new portal settings records; undefined when never set. */
  firmName?: string;
}

/** Online payment settings of one client. */
export interface ClientPaymentSettings {
  contactId: string;
  /** Value in effect: what the portal shows and the relay enforces. */
  allowPayments: boolean;
  /** The client's own setting; undefined follows the firm default. */
  override: boolean | undefined;
}

/**
 * Returns the value in effect for a client. With neither an override nor
 * a firm record, the stored value is kept, so portal settings written
 * before the firm default existed keep their meaning.
 */
export function effectiveAllowPayments(
  firm: FirmSettings | undefined,
  override: boolean | undefined,
  stored: boolean,
): boolean {
  return override ?? firm?.allowPayments ?? stored;
}

/** Reads the firm settings record, or undefined before the first write. */
export function readFirmSettings(firm: DocReplica): FirmSettings | undefined {
  const record = firm.doc.getMap<unknown>(FIRM_SETTINGS_MAP);
  const value = record.get(FIRM_SETTINGS_KEY);
  if (!(value instanceof Y.Map)) return undefined;
  const fields = (value as Y.Map<unknown>).toJSON();
  const settings: FirmSettings = {
    allowPayments: fields['allowPayments'] === true,
  };
  if (typeof fields['firmName'] === 'string') {
    settings.firmName = fields['firmName'];
  }
  return settings;
}

/** Sets the given firm settings fields in one transaction. */
export async function writeFirmSettings(
  firm: DocReplica,
  patch: Partial<FirmSettings>,
): Promise<void> {
  firm.doc.transact(() => {
    const records = firm.doc.getMap<unknown>(FIRM_SETTINGS_MAP);
    let record = records.get(FIRM_SETTINGS_KEY);
    if (!(record instanceof Y.Map)) {
      record = new Y.Map<unknown>();
      records.set(FIRM_SETTINGS_KEY, record);
    }
    const map = record as Y.Map<unknown>;
    if (map.get('allowPayments') === undefined) map.set('allowPayments', false);
    for (const [field, value] of Object.entries(patch)) {
      if (value !== undefined) map.set(field, value);
    }
  }, ORIGIN_API);
  await firm.whenPersisted();
}

/** Returns the override stored in a portal settings record. */
export function overrideOf(
  record: JsonRecord | undefined,
): boolean | undefined {
  const value = record?.['allowPaymentsOverride'];
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * Keeps each portal settings record's `allowPayments` equal to the value
 * in effect. It runs after every change of the firm settings or of a
 * portal settings record, local or remote. Every staff engine computes
 * the same value from the same merged state, so after concurrent offline
 * edits they all converge on it.
 */
export class PaymentSettingsKeeper {
  private running: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopped = false;
  private readonly subscription: Subscription;
  private readonly unobserve: () => void;

  constructor(
    private readonly core: EngineCore,
    private readonly firm: DocReplica,
    private readonly portals: PortalDocs,
  ) {
    const firmMap = firm.doc.getMap<unknown>(FIRM_SETTINGS_MAP);
    const onFirmChange = () => this.schedule();
    firmMap.observeDeep(onFirmChange);
    this.unobserve = () => firmMap.unobserveDeep(onFirmChange);
    const portalSettings = core.database.collections['portalsettings'];
    this.subscription =
      portalSettings?.$.subscribe(() => this.schedule()) ??
      ({ unsubscribe() {} } as Subscription);
    this.schedule();
  }

  /** Resolves when the runs scheduled so far have finished. */
  whenIdle(): Promise<void> {
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription.unsubscribe();
    this.unobserve();
    await this.running;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.running = this.running.then(async () => {
      this.scheduled = false;
      if (this.stopped) return;
      await this.applyAll().catch((error: unknown) => this.report(error));
    });
  }

  // NOTE: each run reads every portal settings record, so a firm with many
  // clients pays one pass per burst of settings changes.
  private async applyAll(): Promise<void> {
    const firm = readFirmSettings(this.firm);
    const collection = this.core.database.collections['portalsettings'];
    const rows = (await collection?.find().exec()) ?? [];
    for (const row of rows) {
      if (this.stopped) return;
      await this.apply(String(row.get('contactId')), firm);
    }
  }

  private async apply(
    contactId: string,
    firm: FirmSettings | undefined,
  ): Promise<void> {
    const key = PORTAL_SETTINGS_KEY;
    const record = await this.portals.read(contactId, PORTAL_SETTINGS_MAP, key);
    if (record === undefined) return;
    const stored = record['allowPayments'] === true;
    const effective = effectiveAllowPayments(firm, overrideOf(record), stored);
    if (record['allowPayments'] === effective) return;
    const next = { ...record, allowPayments: effective };
    await this.portals.write(contactId, PORTAL_SETTINGS_MAP, key, next);
  }

  private report(error: unknown): void {
    if (this.core.errors$.closed) return;
    this.core.errors$.next({
      kind: 'storage',
      message: `Updating allowPayments in portal settings failed: ${String(error)}`,
      collection: 'portalsettings',
      cause: error,
    });
  }
}
