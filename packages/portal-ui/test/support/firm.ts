/**
 * A firm for the browser tests: a real relay in a temporary folder, a
 * client account, and portal data published through a staff engine, as
 * the staff app publishes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStaffEngine, type StaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { loadConfig, startRelay, type Relay } from '@portico/relay';

export const STAFF_EMAIL = 'staff@firm.test';
export const STAFF_PASSWORD = 'staff password for tests';

export interface TestFirm {
  relay: Relay;
  staff: StaffEngine;
  /** Bearer token of the staff account. */
  staffToken: string;
  stop(): Promise<void>;
}

/** Starts a relay; `env` adds relay settings such as `MAX_UPLOAD_BYTES`. */
export async function startFirm(
  env: Record<string, string> = {},
): Promise<TestFirm> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-portal-ui-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const relay = await startRelay(config);
  await relay.accounts.createStaff(STAFF_EMAIL, STAFF_PASSWORD);
  const { token } = await relay.accounts.login(
    STAFF_EMAIL,
    STAFF_PASSWORD,
    'test',
  );
  const staff = await openStaffEngine(
    nodeEngineOptions({
      relayUrl: relay.url,
      token,
      databaseName: `staff-${path.basename(dataDir)}`,
    }),
  );
  return {
    relay,
    staff,
    staffToken: token,
    async stop() {
      await staff.close();
      await relay.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PublishedClient {
  contactId: string;
  email: string;
  password: string;
}

/**
 * Creates a contact with a portal account and publishes its profile and
 * settings. `mustChangePassword` marks the password as temporary.
 */
export async function addClient(
  firm: TestFirm,
  name: string,
  email: string,
  options: { mustChangePassword: boolean; allowPayments?: boolean },
): Promise<PublishedClient> {
  const contact = await firm.staff.contacts.create({
    displayName: name,
    kind: 'person',
    email,
    portal: { status: 'active' },
  });
  const password = `temporary ${name} password`;
  await firm.relay.accounts.createClient(email, password, contact.id, {
    mustChangePassword: options.mustChangePassword,
  });
  const { collections } = firm.staff;
  await requireCollection(collections, 'portalprofiles').insert({
    contactId: contact.id,
    displayName: name,
    email,
  });
  await requireCollection(collections, 'portalsettings').insert({
    contactId: contact.id,
    allowPayments: options.allowPayments ?? false,
    firmName: 'Lindqvist & Okafor Accountants',
  });
  await firm.staff.waitForAllSaved();
  return { contactId: contact.id, email, password };
}

/** Inserts portal records for a contact and waits until the relay has them. */
export async function publish(
  firm: TestFirm,
  collection: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const target = requireCollection(firm.staff.collections, collection);
  await target.bulkInsert(rows);
  await firm.staff.waitForAllSaved();
}

/** Stores bytes in the relay's blob store as staff; returns the SHA-256. */
export async function uploadBlob(
  firm: TestFirm,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${firm.relay.url}/api/blobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${firm.staffToken}` },
    body: form,
  });
  if (response.status !== 201) {
    throw new Error(
      `POST /api/blobs failed with status ${response.status}: ${await response.text()}`,
    );
  }
  const body = (await response.json()) as { sha256: string };
  return body.sha256;
}

/** Returns the rows of a staff collection as plain JSON. */
export async function listRows(
  firm: TestFirm,
  collection: string,
): Promise<Record<string, unknown>[]> {
  const rows = await requireCollection(firm.staff.collections, collection)
    .find()
    .exec();
  return rows.map((row) => row.toJSON());
}

/** The part of an RxDB collection these helpers use. */
interface WritableCollection {
  insert(row: Record<string, unknown>): Promise<unknown>;
  bulkInsert(rows: Record<string, unknown>[]): Promise<unknown>;
  find(): { exec(): Promise<{ toJSON(): Record<string, unknown> }[]> };
}

// The rows are plain JSON checked by the engine's schemas on the way to
// Yjs, so a name-indexed view of the collections is enough here.
function requireCollection(
  collections: StaffEngine['collections'],
  name: string,
): WritableCollection {
  const byName = collections as unknown as Record<
    string,
    WritableCollection | undefined
  >;
  const collection = byName[name];
  if (collection === undefined) {
    throw new Error(`The staff engine has no "${name}" collection.`);
  }
  return collection;
}
