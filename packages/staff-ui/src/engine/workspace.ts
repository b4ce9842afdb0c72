/**
 * The staff app's only door to `@portico/engine`. Components talk to a
 * `Workspace` and never import the engine, so a change of the engine API
 * touches this module and not the views.
 */
import {
  InvalidRecordError,
  openStaffEngine,
  type Contact,
  type ContactInput,
  type Document,
  type EngineError,
  type Invoice,
  type Payment,
  type StaffEngine,
} from '@portico/engine';
import { currencyExponent, formatMinorUnits } from '@portico/engine/billing';
import {
  importContacts,
  type ImportResult,
  type ContactInput as ImportedContact,
} from '@portico/engine/import';
import { validateEmailAddress } from '@portico/engine/mail';
import { BillingActions } from './billing-actions.js';
import { FileActions } from './file-actions.js';
import { PortalActions } from './portal-actions.js';
import { SyncStatusTracker, type SyncStatus } from './sync-status.js';

export type {
  Contact,
  Document,
  EngineError,
  ImportedContact,
  ImportResult,
  Invoice,
  Payment,
};
export type { SyncStatus };

/** The editable fields of a contact, as the contact form produces them. */
export type ContactDraft = Omit<
  ContactInput,
  'id' | 'portal' | 'createdAt' | 'updatedAt'
>;

export type Unsubscribe = () => void;

export interface WorkspaceOptions {
  /** Origin of the relay; the app is served by the relay, so its own. */
  relayUrl: string;
  /** Email of the signed-in staff member; each account gets its replica. */
  email: string;
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
  /** Storage for the last sync time; `localStorage` in the browser. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Connect right after opening (default true). */
  startOnline?: boolean;
}

/** The outcome of creating the contacts of an import. */
export interface ImportOutcome {
  created: number;
  failed: { displayName: string; reason: string }[];
}

export class Workspace {
  /** Sync Contact and portal reminders. */
  readonly portal: PortalActions;
  /** Documents from disk, portal files and the File Transfer Queue. */
  readonly files: FileActions;
  /** Invoices, payments and the online payment setting. */
  readonly billing: BillingActions;
  private contactsSnapshot: Contact[] = [];
  private readonly stopContactsSnapshot: Unsubscribe;

  private constructor(
    private readonly engine: StaffEngine,
    private readonly status: SyncStatusTracker,
  ) {
    this.portal = new PortalActions(engine);
    this.files = new FileActions(engine);
    this.billing = new BillingActions(engine);
    this.stopContactsSnapshot = this.watchContacts((contacts) => {
      this.contactsSnapshot = contacts;
    });
  }

  /** Opens the local replica of `email` and starts syncing it. */
  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const databaseName = replicaName(options.email);
    const engine = await openStaffEngine({
      relayUrl: options.relayUrl,
      databaseName,
      indexedDB: options.indexedDB,
      IDBKeyRange: options.IDBKeyRange,
      startOnline: options.startOnline ?? true,
    });
    const status = new SyncStatusTracker(
      engine,
      `${databaseName}.lastSyncedAt`,
      options.storage,
    );
    return new Workspace(engine, status);
  }

  /** The contacts as last seen, for names in lists of other records. */
  get contacts(): readonly Contact[] {
    return this.contactsSnapshot;
  }

  watchContacts(listener: (contacts: Contact[]) => void): Unsubscribe {
    const subscription = this.engine.contacts.observe().subscribe(listener);
    return () => subscription.unsubscribe();
  }

  // NOTE: the per-contact views filter the whole collection in memory.
  // That is fine for thousands of records, but a firm with far more should
  // query RxDB by the indexed contactId instead.
  watchDocuments(
    contactId: string,
    listener: (documents: Document[]) => void,
  ): Unsubscribe {
    const subscription = this.engine.documents
      .observe()
      .subscribe((rows) => listener(ofContact(rows, contactId)));
    return () => subscription.unsubscribe();
  }

  watchInvoices(
    contactId: string,
    listener: (invoices: Invoice[]) => void,
  ): Unsubscribe {
    const subscription = this.engine.invoices
      .observe()
      .subscribe((rows) => listener(ofContact(rows, contactId)));
    return () => subscription.unsubscribe();
  }

  watchPayments(
    contactId: string,
    listener: (payments: Payment[]) => void,
  ): Unsubscribe {
    const subscription = this.engine.payments
      .observe()
      .subscribe((rows) => listener(ofContact(rows, contactId)));
    return () => subscription.unsubscribe();
  }

  watchStatus(listener: (status: SyncStatus) => void): Unsubscribe {
    return this.status.watch(listener);
  }

  watchErrors(listener: (error: EngineError) => void): Unsubscribe {
    const subscription = this.engine.errors$.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  /**
   * Resolves true once the relay stored every local change, or false
   * after `timeoutMs`.
   */
  async waitForAllSaved(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const saved = this.engine.waitForAllSaved().then(() => true);
    try {
      return await Promise.race([saved, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Local changes that the relay has not confirmed as stored. */
  get pendingChanges(): number {
    return this.status.current.pending;
  }

  createContact(draft: ContactDraft): Promise<Contact> {
    return this.engine.contacts.create(draft);
  }

  /**
   * Saves a draft over a contact; fields left empty are removed. With the
   * `base` draft the edit started from, only fields that differ from it
   * are written, so a field another device changed meanwhile survives.
   */
  updateContact(
    id: string,
    draft: ContactDraft,
    base?: ContactDraft,
  ): Promise<Contact> {
    const full: Partial<Contact> = { ...emptyOptionalFields(), ...draft };
    const patch = base === undefined ? full : changedFields(base, full);
    return this.engine.contacts.update(id, patch);
  }

  deleteContact(id: string): Promise<void> {
    return this.engine.contacts.delete(id);
  }

  /**
   * Reads a vCard or CSV file and reports what it would import, comparing
   * emails with the contacts already in the replica. Throws with a message
   * for staff when the file is not a contacts export.
   */
  previewImport(fileName: string, content: Uint8Array): ImportResult {
    return importContacts(fileName, content, this.contactsSnapshot);
  }

  /** Creates contacts one by one, so one invalid record stops no other. */
  async createImported(contacts: ImportedContact[]): Promise<ImportOutcome> {
    const outcome: ImportOutcome = { created: 0, failed: [] };
    for (const contact of contacts) {
      try {
        await this.engine.contacts.create(contact);
        outcome.created += 1;
      } catch (error) {
        if (!(error instanceof InvalidRecordError)) throw error;
        outcome.failed.push({
          displayName: contact.displayName,
          reason: error.message,
        });
      }
    }
    return outcome;
  }

  goOnline(): void {
    this.engine.goOnline();
  }

  goOffline(): Promise<void> {
    return this.engine.goOffline();
  }

  /** Stops syncing and closes the replica; unsaved changes stay in it. */
  async close(): Promise<void> {
    this.stopContactsSnapshot();
    this.status.stop();
    await this.engine.close();
  }
}

/**
 * Checks an email address the way the relay does before it creates a
 * portal account. Returns a message for the email field, or undefined.
 */
export function checkEmail(value: string): string | undefined {
  const check = validateEmailAddress(value);
  return check.ok ? undefined : check.reason;
}

/** Formats minor units for the locale, with the currency's own decimals. */
export function formatMoney(
  amount: number,
  currency: string,
  locale?: string,
): string {
  const digits = currencyExponent(currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // A decimal string keeps amounts beyond 2^53 minor units exact.
  const decimal = formatMinorUnits(amount, currency) as `${number}`;
  return format.format(decimal);
}

/**
 * Names the IndexedDB databases of one staff account. RxDB accepts only
 * lower-case letters, digits and a few signs in database names, so the
 * email is folded to those and a hash keeps folded names apart.
 */
export function replicaName(email: string): string {
  const normalized = email.trim().toLowerCase();
  const readable = normalized.replace(/[^a-z0-9]+/g, '-').slice(0, 40);
  return `portico-staff-${readable}-${fnv1a(normalized)}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function changedFields(
  base: ContactDraft,
  full: Partial<Contact>,
): Partial<Contact> {
  const before = base as Partial<Contact>;
  const keys = Object.keys(full) as (keyof Contact)[];
  const changed = keys.filter((key) => full[key] !== before[key]);
  return Object.fromEntries(changed.map((key) => [key, full[key]]));
}

function ofContact<T extends { contactId: string }>(
  rows: T[],
  contactId: string,
): T[] {
  return rows.filter((row) => row.contactId === contactId);
}

/** Builds a patch that removes every optional field the draft leaves out. */
function emptyOptionalFields(): Partial<Contact> {
  return {
    givenName: undefined,
    familyName: undefined,
    organization: undefined,
    email: undefined,
    phone: undefined,
    address: undefined,
    notes: undefined,
  };
}
