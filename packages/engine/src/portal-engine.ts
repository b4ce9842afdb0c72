/**
 * The portal engine: a read-only replica of one client's portal doc. The
 * client's contact id comes from `GET /api/auth/session`, and is kept
 * locally so that the portal opens offline after one online start.
 */
import type { Observable } from 'rxjs';
import { PORTAL_COLLECTIONS } from './collections.js';
import { EngineCore } from './engine-core.js';
import type { EngineError } from './errors.js';
import type { EngineOptions } from './options.js';
import { portalDocName } from './protocol.js';
import { RxReadStore, type ReadOnlyStore } from './record-store.js';
import type {
  PortalFile,
  PortalInvoice,
  PortalPayment,
  PortalProfile,
  PortalSettings,
} from './schemas.js';
import type { ConnectionState } from './sync/connection.js';

export interface PortalEngine {
  /** The contact whose portal doc this engine replicates. */
  contactId: string;
  profile: ReadOnlyStore<PortalProfile>;
  files: ReadOnlyStore<PortalFile>;
  invoices: ReadOnlyStore<PortalInvoice>;
  payments: ReadOnlyStore<PortalPayment>;
  settings: ReadOnlyStore<PortalSettings>;
  connection$: Observable<ConnectionState>;
  errors$: Observable<EngineError>;
  goOffline(): Promise<void>;
  goOnline(): void;
  close(): Promise<void>;
}

/** Session as returned by `GET /api/auth/session`. */
export interface Session {
  role: 'staff' | 'client';
  email: string;
  contactId?: string;
  mustChangePassword: boolean;
}

const CONTACT_ID_KEY = 'contactId';

export async function openPortalEngine(
  options: EngineOptions,
): Promise<PortalEngine> {
  const core = await EngineCore.open(options, PORTAL_COLLECTIONS, true);
  try {
    const contactId = await resolveContactId(core, options);
    await core.follow(portalDocName(contactId));
    await core.bridge.removeOrphans();
    if (options.startOnline !== false) core.goOnline();
    return portalApi(core, contactId);
  } catch (error) {
    await core.close();
    throw error;
  }
}

/**
 * Returns the session's contact id, or the stored one when the relay is
 * unreachable. A session with another contact wins, so a new
 * login on a shared device does not show the previous client's data.
 */
async function resolveContactId(
  core: EngineCore,
  options: EngineOptions,
): Promise<string> {
  const stored = await core.store.getMeta(CONTACT_ID_KEY);
  let session: Session | undefined;
  if (options.startOnline !== false) session = await fetchSession(options);
  if (session !== undefined && session.contactId === undefined) {
    throw new Error(
      `The session of ${session.email} has no portal contact (role ${session.role}); open a staff engine instead.`,
    );
  }
  const contactId = session?.contactId ?? stored;
  if (typeof contactId !== 'string') {
    throw new Error(
      'The portal engine needs the relay once to learn the contact id: connect and open it again.',
    );
  }
  if (contactId !== stored) await core.store.setMeta(CONTACT_ID_KEY, contactId);
  return contactId;
}

/** Returns the session, or undefined when the relay cannot be reached. */
export async function fetchSession(
  options: EngineOptions,
): Promise<Session | undefined> {
  const url = new URL('api/auth/session', withSlash(options.relayUrl));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) {
    headers['authorization'] = `Bearer ${options.token}`;
  }
  const fetchFn = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchFn(url, { headers, credentials: 'include' });
  } catch {
    return undefined;
  }
  if (!response.ok) {
    throw new Error(
      `GET ${url.pathname} failed with status ${response.status}; log in again.`,
    );
  }
  return (await response.json()) as Session;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function portalApi(core: EngineCore, contactId: string): PortalEngine {
  const store = <T>(name: string) => {
    const collection = core.database.collections[name];
    if (collection === undefined) {
      throw new Error(`Collection "${name}" is missing from the engine.`);
    }
    return new RxReadStore<T>(collection);
  };
  return {
    contactId,
    profile: store<PortalProfile>('portalprofiles'),
    files: store<PortalFile>('portalfiles'),
    invoices: store<PortalInvoice>('portalinvoices'),
    payments: store<PortalPayment>('portalpayments'),
    settings: store<PortalSettings>('portalsettings'),
    connection$: core.connection$,
    errors$: core.errors$.asObservable(),
    goOffline: () => core.goOffline(),
    goOnline: () => core.goOnline(),
    close: () => core.close(),
  };
}
