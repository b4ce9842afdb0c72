/**
 * Shared set-up of the file tests: a real relay on 127.0.0.1 with its data
 * in a temp dir, staff and client accounts, a staff engine in this process,
 * and the client's HTTP calls.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { openStaffEngine, type StaffEngine } from '@portico/engine';
import { nodeEngineOptions } from '@portico/engine/node';
import { loadConfig, startRelay, type Relay } from '@portico/relay';

export const PASSWORD = 'correct horse battery staple 42';
export const FIXTURE_DOCUMENTS = '/work/shared/fixtures/documents';
export const FIXTURE_NAMES = '/work/shared/fixtures/names/names.txt';

export interface FilesRelay {
  relay: Relay;
  url: string;
  dataDir: string;
  staffToken(email?: string): Promise<string>;
  /** Creates a client account for a contact and returns its token. */
  clientToken(contactId: string, email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFilesRelay(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<FilesRelay> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'portico-files-')));
  const relay = await startRelay(
    loadConfig({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', ...env }),
  );
  return {
    relay,
    url: relay.url,
    dataDir: dir,
    async staffToken(email = 'staff@firm.example') {
      await relay.accounts.createStaff(email, PASSWORD);
      return login(relay.url, email);
    },
    async clientToken(contactId, email) {
      await relay.accounts.createClient(email, PASSWORD, contactId, {
        mustChangePassword: false,
      });
      return login(relay.url, email);
    },
    async close() {
      await relay.close();
      if (dataDir === undefined)
        await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function login(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) {
    throw new Error(`Login of ${email} failed with status ${response.status}.`);
  }
  return ((await response.json()) as { token: string }).token;
}

export function openStaff(
  url: string,
  token: string,
  indexedDB: IDBFactory,
  startOnline = true,
): Promise<StaffEngine> {
  return openStaffEngine({
    ...nodeEngineOptions({
      relayUrl: url,
      token,
      databaseName: 'staff',
      indexedDB,
    }),
    startOnline,
  });
}

/** Creates a contact that is on the portal, so its portal doc is followed. */
export async function publishedContact(
  engine: StaffEngine,
  email: string,
): Promise<string> {
  const contact = await engine.contacts.create({
    displayName: `Client ${email}`,
    kind: 'person',
    email,
    portal: { status: 'invited' },
  });
  return contact.id;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256OfBlob(blob: Blob): Promise<string> {
  return sha256Of(new Uint8Array(await blob.arrayBuffer()));
}

/** Uploads one file as a client through `POST /api/portal/files`. */
export function clientUpload(
  url: string,
  token: string,
  name: string,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return fetch(`${url}/api/portal/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

export function clientGet(
  url: string,
  token: string,
  path: string,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

export interface FixtureDocument {
  name: string;
  bytes: Uint8Array;
}

export async function fixtureDocuments(): Promise<FixtureDocument[]> {
  const names = (await readdir(FIXTURE_DOCUMENTS)).sort();
  const documents: FixtureDocument[] = [];
  for (const name of names) {
    const bytes = new Uint8Array(await readFile(join(FIXTURE_DOCUMENTS, name)));
    documents.push({ name, bytes });
  }
  return documents;
}

/** Lists every file under `root` as a path relative to it, with `/`. */
export async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      if ((await stat(path)).isDirectory()) await walk(path);
      else found.push(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return found.sort();
}

/** Reads a portal file record straight from the relay's copy of the doc. */
export async function relayFileRecord(
  relay: Relay,
  contactId: string,
  fileId: string,
): Promise<Record<string, unknown> | undefined> {
  const docName = `portal/${contactId}`;
  const doc = await relay.docs.acquire(docName);
  try {
    const record = doc.doc.getMap('files').get(fileId) as
      { toJSON(): Record<string, unknown> } | undefined;
    return record?.toJSON();
  } finally {
    relay.docs.release(docName);
  }
}

/** Polls a condition until it holds; fails with the description after the deadline. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  description: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
