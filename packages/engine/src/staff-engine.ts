/**
 * The staff engine: the `firm` doc plus the portal doc of every published
 * contact, with a record store per firm collection.
 */
import type { RxCollection } from 'rxdb';
import type { Observable } from 'rxjs';
import * as Y from 'yjs';
import {
  FIRM_COLLECTIONS,
  PORTAL_COLLECTIONS,
  type CollectionSpec,
  type JsonRecord,
} from './collections.js';
import {
  createStaffBilling,
  type StaffBilling,
} from './billing-api/staff-billing.js';
import { guardInvoiceStore } from './billing-api/invoice-store.js';
import { EngineCore } from './engine-core.js';
import type { EngineError } from './errors.js';
import type { EngineOptions } from './options.js';
import type { DocReplica } from './persistence/doc-replica.js';
import { contactIdOfDoc, FIRM_DOC, portalDocName } from './protocol.js';
import {
  YjsRecordStore,
  type RecordHooks,
  type RecordStore,
} from './record-store.js';
import type {
  Contact,
  Document,
  Invoice,
  OutboxMessage,
  Payment,
  PortalFile,
  PortalInvoice,
  PortalPayment,
  PortalProfile,
  PortalSettings,
} from './schemas.js';
import type { ConnectionState } from './sync/connection.js';
import { createStaffPortal, type StaffPortal } from './portal/index.js';
import { openStaffFiles, type StaffFiles } from './transfers/staff-files.js';

type WithOptional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type ContactInput = WithOptional<
  Contact,
  'id' | 'portal' | 'createdAt' | 'updatedAt'
>;
export type DocumentInput = WithOptional<Document, 'id' | 'addedAt'>;
export type InvoiceInput = WithOptional<Invoice, 'id'>;
export type PaymentInput = WithOptional<Payment, 'id'>;
export type OutboxInput = WithOptional<
  OutboxMessage,
  'id' | 'createdAt' | 'status' | 'attempts'
>;

export interface StaffCollections {
  contacts: RxCollection<Contact>;
  documents: RxCollection<Document>;
  invoices: RxCollection<Invoice>;
  payments: RxCollection<Payment>;
  outbox: RxCollection<OutboxMessage>;
  portalprofiles: RxCollection<PortalProfile>;
  portalfiles: RxCollection<PortalFile>;
  portalinvoices: RxCollection<PortalInvoice>;
  portalpayments: RxCollection<PortalPayment>;
  portalsettings: RxCollection<PortalSettings>;
}

export interface StaffEngine {
  contacts: RecordStore<Contact, ContactInput>;
  documents: RecordStore<Document, DocumentInput>;
  invoices: RecordStore<Invoice, InvoiceInput>;
  payments: RecordStore<Payment, PaymentInput>;
  outbox: RecordStore<OutboxMessage, OutboxInput>;
  /** Sync Contact and portal reminders (pending outbox messages). */
  portal: StaffPortal;
  /** Invoice life cycle, payments, publishing and payment settings. */
  billing: StaffBilling;
  /** Portal files, local document bytes and the File Transfer Queue. */
  files: StaffFiles;
  /** The raw RxDB collections. App writes on them are synced too. */
  collections: StaffCollections;
  connection$: Observable<ConnectionState>;
  /** Local changes not yet stored on the relay. */
  pending$: Observable<number>;
  allSaved$: Observable<boolean>;
  errors$: Observable<EngineError>;
  waitForAllSaved(): Promise<void>;
  goOffline(): Promise<void>;
  goOnline(): void;
  close(): Promise<void>;
}

const SPECS: readonly CollectionSpec[] = [
  ...FIRM_COLLECTIONS,
  ...PORTAL_COLLECTIONS,
];

const HOOKS: Record<string, RecordHooks> = {
  contacts: {
    prepareCreate: (row, now) => ({
      portal: { status: 'none' },
      createdAt: now,
      updatedAt: now,
      ...row,
    }),
    prepareUpdate: (row, now) => ({ ...row, updatedAt: now }),
  },
  documents: { prepareCreate: (row, now) => ({ addedAt: now, ...row }) },
  outbox: {
    prepareCreate: (row, now) => ({
      createdAt: now,
      status: 'pending',
      attempts: 0,
      ...row,
    }),
  },
};

export async function openStaffEngine(
  options: EngineOptions,
): Promise<StaffEngine> {
  const core = await EngineCore.open(options, SPECS, false);
  try {
    const firm = await openDocs(core);
    followPublishedContacts(core, firm);
    const api = staffApi(core, firm);
    const files = await openStaffFiles(core, api);
    if (options.startOnline !== false) core.goOnline();
    return {
      ...api,
      files,
      close: async () => {
        await files.close();
        await api.close();
      },
    };
  } catch (error) {
    await core.close();
    throw error;
  }
}

/** Opens `firm` and every stored portal doc, then drops orphan rows. */
async function openDocs(core: EngineCore): Promise<DocReplica> {
  const firm = await core.follow(FIRM_DOC);
  const stored = await core.storedDocNames();
  const portals = stored.filter((name) => contactIdOfDoc(name) !== undefined);
  await Promise.all(portals.map((name) => core.follow(name)));
  await core.bridge.removeOrphans();
  return firm;
}

/**
 * Follows the portal doc of each contact whose portal status is not
 * `none`, now and whenever a contact changes.
 */
function followPublishedContacts(core: EngineCore, firm: DocReplica): void {
  const contacts = firm.doc.getMap<unknown>('contacts');
  const check = (contactId: string) => {
    const record = contacts.get(contactId);
    const portal: unknown =
      record instanceof Y.Map
        ? (record as Y.Map<unknown>).get('portal')
        : undefined;
    const status = (portal as JsonRecord | undefined)?.['status'];
    const docName = portalDocName(contactId);
    if (status === undefined || status === 'none') return;
    if (contactIdOfDoc(docName) === undefined || core.isOpen(docName)) return;
    core.follow(docName).catch((error: unknown) =>
      core.errors$.next({
        kind: 'storage',
        message: `Opening ${docName} failed: ${String(error)}`,
        doc: docName,
        cause: error,
      }),
    );
  };
  for (const contactId of contacts.keys()) check(contactId);
  contacts.observeDeep((events) => {
    for (const event of events) {
      const key = event.target === contacts ? undefined : event.path[0];
      const keys = key === undefined ? [...event.keys.keys()] : [String(key)];
      keys.forEach(check);
    }
  });
  // NOTE: a contact set back to `none` keeps its portal doc followed. The
  // doc may contain unsent staff changes, and after a restart every stored
  // portal doc is followed again.
}

function staffApi(
  core: EngineCore,
  firm: DocReplica,
): Omit<StaffEngine, 'files'> {
  const collections = core.database.collections;
  const store = <T, TInput>(name: string) => {
    const spec = SPECS.find((candidate) => candidate.name === name);
    const collection = collections[name];
    if (spec === undefined || collection === undefined) {
      throw new Error(`Collection "${name}" is missing from the engine.`);
    }
    return new YjsRecordStore<T, TInput>(
      collection,
      spec,
      firm,
      core.bridge,
      core.validator,
      HOOKS[name],
    );
  };
  const contacts = store<Contact, ContactInput>('contacts');
  const outbox = store<OutboxMessage, OutboxInput>('outbox');
  const invoices = guardInvoiceStore(store<Invoice, InvoiceInput>('invoices'));
  const payments = store<Payment, PaymentInput>('payments');
  const billing = createStaffBilling({
    core,
    firm,
    contacts,
    invoices,
    payments,
  });
  return {
    contacts,
    documents: store<Document, DocumentInput>('documents'),
    invoices,
    payments,
    outbox,
    portal: createStaffPortal({ core, firm, contacts, outbox }),
    billing,
    // The bridge handles rows as plain JSON; the schemas fix their types.
    collections: collections as unknown as StaffCollections,
    connection$: core.connection$,
    pending$: core.pending$.asObservable(),
    allSaved$: core.allSaved$,
    errors$: core.errors$.asObservable(),
    waitForAllSaved: () => core.waitForAllSaved(),
    goOffline: () => core.goOffline(),
    goOnline: () => core.goOnline(),
    close: async () => {
      await billing.stop();
      await core.close();
    },
  };
}
