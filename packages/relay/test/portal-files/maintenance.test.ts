/**
 * Blob upkeep in a real relay: unreferenced blobs go after the grace
 * period, referenced ones stay, and stale temp files and abandoned
 * resumable uploads are removed.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startRelay, type Relay } from '../../src/relay.js';

const GRACE_MS = 60_000;

let dataDir: string;
let relay: Relay;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-upkeep-'));
  relay = await startRelay(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      BLOB_GRACE_MS: String(GRACE_MS),
    }),
  );
});

afterEach(async () => {
  await relay.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function putBlob(text: string): Promise<string> {
  const result = await relay.blobs.store.put(
    Readable.from([Buffer.from(text)]),
    {
      maxBytes: 1024,
    },
  );
  return result.sha256;
}

function record(fields: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  return map;
}

describe('blob upkeep', () => {
  it('removes only unreferenced blobs after the grace period', async () => {
    const shared = await putBlob('on the portal');
    const deleted = await putBlob('deleted from the portal');
    const document = await putBlob('a staff document');
    const orphan = await putBlob('referenced by nothing');

    await relay.docs.writeAsRelay('portal/c1', (doc) => {
      const files = doc.getMap('files');
      files.set('f1', record({ sha256: shared, status: 'available' }));
      files.set('f2', record({ sha256: deleted, status: 'deleted' }));
    });
    await relay.docs.writeAsRelay('firm', (doc) => {
      doc.getMap('documents').set('d1', record({ sha256: document }));
    });

    const early = await relay.blobs.maintenance.run(new Date());
    expect(early.blobs).toBe(0);
    expect(await relay.blobs.store.exists(orphan)).toBe(true);

    const later = new Date(Date.now() + 2 * GRACE_MS);
    const result = await relay.blobs.maintenance.run(later);
    expect(result.blobs).toBe(2);
    expect(await relay.blobs.store.exists(shared)).toBe(true);
    expect(await relay.blobs.store.exists(document)).toBe(true);
    expect(await relay.blobs.store.exists(deleted)).toBe(false);
    expect(await relay.blobs.store.exists(orphan)).toBe(false);
  });

  it('removes stale temp files and old uploads', async () => {
    const tmp = join(dataDir, 'blobs', 'tmp');
    await mkdir(tmp, { recursive: true });
    const stale = join(tmp, 'left-by-a-crash.part');
    await writeFile(stale, 'partial');
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, hourAgo, hourAgo);
    const fresh = join(tmp, 'in-progress.part');
    await writeFile(fresh, 'partial');

    const token = await staffToken();
    const created = await fetch(`${relay.url}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ size: 10, sha256: 'a'.repeat(64) }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const result = await relay.blobs.maintenance.run(
      new Date(Date.now() + 2 * GRACE_MS),
    );
    expect(result.tempFiles).toBe(1);
    expect(result.uploads).toBe(1);
    const status = await fetch(`${relay.url}/api/uploads/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(status.status).toBe(404);
  });
});

async function staffToken(): Promise<string> {
  const password = 'correct horse battery staple 42';
  await relay.accounts.createStaff('upkeep@firm.example', password);
  const response = await fetch(`${relay.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'upkeep@firm.example', password }),
  });
  return ((await response.json()) as { token: string }).token;
}
