/**
 * Sync Contact and portal reminders: staff publish a contact to the
 * portal, which queues an invitation as a `pending` outbox message, then
 * review, preview, send or cancel such reminders. The relay sends what
 * staff set to `queued` and records the outcome.
 */
import { distinctUntilChanged, filter, map, type Observable } from 'rxjs';
import * as Y from 'yjs';
import { createRecordMap, setChangedFields } from '../bridge/bridge.js';
import type { JsonRecord } from '../collections.js';
import type { EngineCore } from '../engine-core.js';
import { RecordNotFoundError } from '../errors.js';
import {
  renderMessage,
  validateEmailAddress,
  type MessageInput,
  type RenderedMessage,
} from '../mail/index.js';
import { ORIGIN_API, type DocReplica } from '../persistence/doc-replica.js';
import { portalDocName } from '../protocol.js';
import type { RecordStore } from '../record-store.js';
import type { Contact, OutboxMessage } from '../schemas.js';
import {
  InvalidContactEmailError,
  MailSettingsMissingError,
  ReminderStateError,
} from './errors.js';
import {
  MAIL_SETTINGS_KEY,
  RELAY_SETTINGS_MAP,
  readMailSettings,
  toMailSettings,
  type MailSettings,
} from './mail-settings.js';

export interface SyncContactResult {
  contactId: string;
  /** The address the portal account uses, normalised. */
  email: string;
  /** The invitation created by this call; undefined when one exists. */
  invite: OutboxMessage | undefined;
}

/** Staff actions on the portal: publishing contacts and reminders. */
export interface StaffPortal {
  /**
   * Publishes a contact to the portal: writes its portal profile and
   * settings, sets `portal.status` to `invited`, and creates a `pending`
   * `portal-invite` unless one for the same address exists. Throws
   * `InvalidContactEmailError` and writes nothing when the email is
   * missing or invalid. Works offline.
   */
  syncContact(contactId: string): Promise<SyncContactResult>;
  /** Outbox messages waiting for staff to send them, sorted by id. */
  pendingReminders$: Observable<OutboxMessage[]>;
  /** Number of pending reminders, for "You have portal reminders ...". */
  pendingReminderCount$: Observable<number>;
  /** Returns the pending reminders now, such as for the logout prompt. */
  listPendingReminders(): Promise<OutboxMessage[]>;
  /** Sets pending reminders to `queued`, so the relay sends them. */
  sendReminders(ids: readonly string[]): Promise<OutboxMessage[]>;
  /** Sets every pending reminder to `queued`. */
  sendAllReminders(): Promise<OutboxMessage[]>;
  /** Cancels a `pending` or `queued` reminder. */
  cancelReminder(id: string): Promise<OutboxMessage>;
  /** Queues a `failed` message again. */
  requeueReminder(id: string): Promise<OutboxMessage>;
  /**
   * Renders a reminder exactly as the relay will send it, with the
   * temporary password masked.
   */
  previewReminder(id: string): Promise<RenderedMessage>;
  /** The relay's mail settings from the firm doc, once synced. */
  mailSettings(): MailSettings | undefined;
}

export interface StaffPortalDeps {
  core: EngineCore;
  firm: DocReplica;
  contacts: RecordStore<Contact, never>;
  outbox: RecordStore<OutboxMessage, never>;
}

export function createStaffPortal(deps: StaffPortalDeps): StaffPortal {
  const { outbox } = deps;
  keepMailSettings(deps);
  const pendingReminders$ = outbox
    .observe()
    .pipe(map((messages) => messages.filter(isPending)));
  const settle = () =>
    Promise.all([deps.firm.whenPersisted(), deps.core.bridge.whenIdle()]);

  const setStatus = async (
    id: string,
    allowed: readonly OutboxMessage['status'][],
    status: OutboxMessage['status'],
    action: string,
  ): Promise<OutboxMessage> => {
    const message = await outbox.get(id);
    if (!message) throw new RecordNotFoundError('outbox', id);
    if (!allowed.includes(message.status)) {
      throw new ReminderStateError(id, message.status, action);
    }
    return outbox.update(id, { status });
  };

  const sendReminders = async (ids: readonly string[]) => {
    const sent: OutboxMessage[] = [];
    for (const id of ids) {
      sent.push(await setStatus(id, ['pending'], 'queued', 'send'));
    }
    return sent;
  };

  return {
    syncContact: (contactId) => syncContact(deps, contactId, settle),
    pendingReminders$,
    pendingReminderCount$: pendingReminders$.pipe(
      map((messages) => messages.length),
      distinctUntilChanged(),
    ),
    listPendingReminders: async () => (await outbox.list()).filter(isPending),
    sendReminders,
    sendAllReminders: async () => {
      const pending = (await outbox.list()).filter(isPending);
      return sendReminders(pending.map((message) => message.id));
    },
    cancelReminder: (id) =>
      setStatus(id, ['pending', 'queued'], 'cancelled', 'cancel'),
    requeueReminder: (id) => setStatus(id, ['failed'], 'queued', 're-queue'),
    previewReminder: (id) => previewReminder(deps, id),
    mailSettings: () => readMailSettings(deps.firm.doc),
  };
}

/**
 * Copies the relay's mail settings into the firm doc each time the engine
 * comes online, so that previews can use them offline later. Every staff
 * engine copies the same values, and unchanged fields are not written.
 *
 * NOTE: a failed fetch is dropped silently and retried at the next
 * connect; until one succeeds, previews throw `MailSettingsMissingError`.
 */
function keepMailSettings(deps: StaffPortalDeps): void {
  // Ends a fetch in flight when the engine closes, so that no request
  // keeps a socket to the relay open after `close`.
  const closing = new AbortController();
  deps.core.connection$.pipe(filter((state) => state === 'online')).subscribe({
    next: () => {
      const signal = AbortSignal.any([
        closing.signal,
        AbortSignal.timeout(FETCH_TIMEOUT_MS),
      ]);
      fetchMailSettings(deps, signal).then(
        (settings) => {
          if (settings && !closing.signal.aborted) {
            writeMailSettings(deps.firm, settings);
          }
        },
        () => undefined,
      );
    },
    complete: () => closing.abort(),
  });
}

const FETCH_TIMEOUT_MS = 15_000;

async function fetchMailSettings(
  deps: StaffPortalDeps,
  signal: AbortSignal,
): Promise<MailSettings | undefined> {
  const { relayUrl, token, fetch: fetchOption } = deps.core.options;
  const base = relayUrl.replace(/^ws/, 'http').replace(/\/+$/, '');
  const response = await (fetchOption ?? globalThis.fetch)(
    `${base}/api/relay/info`,
    {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      credentials: 'same-origin',
      signal,
    },
  );
  if (!response.ok) return undefined;
  const body = (await response.json()) as { mail?: unknown };
  return toMailSettings(body.mail);
}

function writeMailSettings(firm: DocReplica, settings: MailSettings): void {
  const current = readMailSettings(firm.doc);
  if (current && JSON.stringify(current) === JSON.stringify(settings)) return;
  firm.doc.transact(() => {
    upsertFields(
      firm.doc.getMap<unknown>(RELAY_SETTINGS_MAP),
      MAIL_SETTINGS_KEY,
      { ...settings },
    );
  }, ORIGIN_API);
}

function isPending(message: OutboxMessage): boolean {
  return message.status === 'pending';
}

async function syncContact(
  deps: StaffPortalDeps,
  contactId: string,
  settle: () => Promise<unknown>,
): Promise<SyncContactResult> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new RecordNotFoundError('contacts', contactId);
  const check = validateEmailAddress(contact.email);
  if (!check.ok) throw new InvalidContactEmailError(contactId, check.reason);
  const settings = readMailSettings(deps.firm.doc);
  if (!settings) throw new MailSettingsMissingError();
  const email = check.address;

  const portal = await deps.core.follow(portalDocName(contactId));
  writePortalRecords(portal, contact, email, settings);

  const messages = await deps.outbox.list();
  const invites = messages.filter(
    (message) =>
      message.kind === 'portal-invite' &&
      message.contactId === contactId &&
      message.status !== 'cancelled',
  );
  const current = invites.find((message) => message.to === email);
  // Unsent invitations to an old address would reach the wrong mailbox,
  // so they are cancelled here.
  const stale = invites.filter(
    (message) =>
      message.to !== email &&
      (message.status === 'pending' || message.status === 'queued'),
  );
  const inviteId = current ? undefined : crypto.randomUUID();
  writeFirmRecords(deps.firm, contact, { email, inviteId, stale });

  await Promise.all([portal.whenPersisted(), settle()]);
  const invite =
    inviteId === undefined ? undefined : await deps.outbox.get(inviteId);
  return { contactId, email, invite };
}

/** Creates or updates the profile and settings of a portal doc. */
function writePortalRecords(
  portal: DocReplica,
  contact: Contact,
  email: string,
  settings: MailSettings,
): void {
  portal.doc.transact(() => {
    upsertFields(portal.doc.getMap<unknown>('profile'), 'profile', {
      displayName: contact.displayName,
      email,
    });
    const settingsMap = portal.doc.getMap<unknown>('settings');
    const existing = settingsMap.get('settings');
    if (existing instanceof Y.Map) {
      // allowPayments belongs to the payment settings; only fill the name.
      const record = existing as Y.Map<unknown>;
      if (typeof record.get('firmName') !== 'string') {
        record.set('firmName', settings.firmName);
      }
    } else {
      settingsMap.set(
        'settings',
        createRecordMap({ allowPayments: false, firmName: settings.firmName }),
      );
    }
  }, ORIGIN_API);
}

/**
 * In one firm doc transaction: marks the contact invited (unless it is
 * active already with an invitation to this address), cancels stale
 * invitations, and adds the new one.
 */
function writeFirmRecords(
  firm: DocReplica,
  contact: Contact,
  change: { email: string; inviteId?: string; stale: OutboxMessage[] },
): void {
  const now = new Date().toISOString();
  firm.doc.transact(() => {
    const contacts = firm.doc.getMap<unknown>('contacts');
    const record = contacts.get(contact.id);
    if (record instanceof Y.Map) {
      const keepActive =
        change.inviteId === undefined && contact.portal.status === 'active';
      const status = keepActive ? 'active' : 'invited';
      const map = record as Y.Map<unknown>;
      setChangedFields(map, map.toJSON(), {
        ...map.toJSON(),
        portal: { status, syncedAt: now },
        updatedAt: now,
      });
    }
    const outbox = firm.doc.getMap<unknown>('outbox');
    for (const message of change.stale) {
      const staleRecord = outbox.get(message.id);
      if (staleRecord instanceof Y.Map) staleRecord.set('status', 'cancelled');
    }
    if (change.inviteId !== undefined) {
      outbox.set(
        change.inviteId,
        createRecordMap({
          kind: 'portal-invite',
          contactId: contact.id,
          to: change.email,
          createdAt: now,
          status: 'pending',
          attempts: 0,
        }),
      );
    }
  }, ORIGIN_API);
}

function upsertFields(
  records: Y.Map<unknown>,
  key: string,
  fields: JsonRecord,
): void {
  const record = records.get(key);
  if (record instanceof Y.Map) {
    const map = record as Y.Map<unknown>;
    const current = map.toJSON();
    setChangedFields(map, current, { ...current, ...fields });
  } else {
    records.set(key, createRecordMap(fields));
  }
}

async function previewReminder(
  deps: StaffPortalDeps,
  id: string,
): Promise<RenderedMessage> {
  const message = await deps.outbox.get(id);
  if (!message) throw new RecordNotFoundError('outbox', id);
  const settings = readMailSettings(deps.firm.doc);
  if (!settings) throw new MailSettingsMissingError();
  return renderMessage(await previewInput(deps, message, settings));
}

/** Builds the same template input the relay builds when it sends. */
async function previewInput(
  deps: StaffPortalDeps,
  message: OutboxMessage,
  settings: MailSettings,
): Promise<MessageInput> {
  const contact =
    message.contactId === undefined
      ? undefined
      : await deps.contacts.get(message.contactId);
  const name = contact ? { recipientName: contact.displayName } : {};
  switch (message.kind) {
    case 'portal-invite':
      return {
        kind: 'portal-invite',
        firmName: settings.firmName,
        portalUrl: settings.portalUrl,
        loginEmail: message.to,
        temporaryPassword: null,
        validForMinutes: settings.inviteValidMinutes,
        ...name,
      };
    case 'file-notice':
      return {
        kind: 'file-notice',
        firmName: settings.firmName,
        portalUrl: settings.portalUrl,
        fileNames: await fileNames(deps, message),
        ...name,
      };
    default:
      throw new Error(
        `Reminder ${message.id} is a ${message.kind} message, which the ` +
          'relay writes and sends itself; only portal-invite and ' +
          'file-notice messages have a preview.',
      );
  }
}

async function fileNames(
  deps: StaffPortalDeps,
  message: OutboxMessage,
): Promise<string[]> {
  if (message.contactId === undefined) return [];
  const portal = await deps.core.follow(portalDocName(message.contactId));
  const files = portal.doc.getMap<unknown>('files');
  const names: string[] = [];
  for (const fileId of message.fileIds ?? []) {
    const file = files.get(fileId);
    const name: unknown =
      file instanceof Y.Map ? (file as Y.Map<unknown>).get('name') : undefined;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}
