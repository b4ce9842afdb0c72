import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertCliBuilt,
  runCli,
  startCliRelay,
  type RunningRelay,
} from '../cli/cli-process.js';
import { MultiplexClient } from '../sync/y-client.js';

const EMAIL = 'ann@firm.example';
const PASSWORD = 'a long staff password';

let workDir: string;
let dataDir: string;
let running: RunningRelay[] = [];

beforeAll(() => {
  assertCliBuilt();
});

beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'portico-backup-'));
  dataDir = path.join(workDir, 'data');
  await mkdir(dataDir);
});

afterEach(async () => {
  for (const relay of running) {
    if (relay.child.exitCode === null && relay.child.signalCode === null) {
      relay.child.kill('SIGKILL');
      await relay.exited;
    }
  }
  running = [];
  await rm(workDir, { recursive: true, force: true });
});

async function start(dir: string): Promise<RunningRelay> {
  const relay = await startCliRelay({ DATA_DIR: dir });
  running.push(relay);
  return relay;
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** Writes a blob the way the blob store lays it out. */
async function writeBlob(dir: string, bytes: Buffer): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const folder = path.join(
    dir,
    'blobs',
    sha256.slice(0, 2),
    sha256.slice(2, 4),
  );
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, sha256), bytes);
  return sha256;
}

describe('portico backup and restore', () => {
  it('round-trips docs, accounts and blobs of a running relay', async () => {
    const added = await runCli(
      ['staff', 'add', EMAIL],
      { DATA_DIR: dataDir },
      `${PASSWORD}\n`,
    );
    expect(added.code).toBe(0);
    const blob = await writeBlob(dataDir, Buffer.from('invoice bytes'));
    const relay = await start(dataDir);
    const writer = await MultiplexClient.connect(relay.url, {
      token: await login(relay.url),
    });
    writer.follow('firm');
    await writer.waitForSynced('firm');
    const records = writer.doc('firm').doc.getMap('records');
    for (let i = 0; i < 50; i++) records.set(`before-${i}`, i);
    await writer.waitForAllStored('firm');

    // Keep writing while the backup runs, to check it copes with a live
    // writer; only the changes stored before it started are required.
    const archive = path.join(workDir, 'portico.tar.gz');
    const backup = runCli(['backup', archive], { DATA_DIR: dataDir });
    for (let i = 0; i < 50; i++) records.set(`during-${i}`, i);
    const result = await backup;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 blobs');
    writer.close();

    const restoredDir = path.join(workDir, 'restored');
    const restored = await runCli(['restore', archive], {
      DATA_DIR: restoredDir,
    });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);

    const second = await start(restoredDir);
    const reader = await MultiplexClient.connect(second.url, {
      token: await login(second.url),
    });
    reader.follow('firm');
    await reader.waitForSynced('firm');
    const copy = reader.doc('firm').doc.getMap('records');
    for (let i = 0; i < 50; i++) {
      expect(copy.get(`before-${i}`)).toBe(i);
    }
    reader.close();
    const blobPath = path.join(
      restoredDir,
      'blobs',
      blob.slice(0, 2),
      blob.slice(2, 4),
    );
    expect(await readdir(blobPath)).toEqual([blob]);
  });

  it('rejects a restore into a folder with data', async () => {
    await runCli(['staff', 'add', EMAIL], { DATA_DIR: dataDir }, PASSWORD);
    const archive = path.join(workDir, 'b.tar.gz');
    expect(
      (await runCli(['backup', archive], { DATA_DIR: dataDir })).code,
    ).toBe(0);

    const result = await runCli(['restore', archive], { DATA_DIR: dataDir });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not empty');
  });

  it('rejects an archive with a damaged blob', async () => {
    await runCli(['staff', 'add', EMAIL], { DATA_DIR: dataDir }, PASSWORD);
    const blob = await writeBlob(dataDir, Buffer.from('original'));
    const archive = path.join(workDir, 'b.tar.gz');
    expect(
      (await runCli(['backup', archive], { DATA_DIR: dataDir })).code,
    ).toBe(0);
    const unpacked = path.join(workDir, 'unpacked');
    await mkdir(unpacked);
    await tar.extract({ file: archive, cwd: unpacked });
    const blobFile = path.join(
      unpacked,
      'blobs',
      blob.slice(0, 2),
      blob.slice(2, 4),
      blob,
    );
    await writeFile(blobFile, 'tampered');
    const damaged = path.join(workDir, 'damaged.tar.gz');
    await tar.create({ gzip: true, file: damaged, cwd: unpacked }, [
      'manifest.json',
      'portico.db',
      'blobs',
    ]);
    const target = path.join(workDir, 'restored');

    const result = await runCli(['restore', damaged], { DATA_DIR: target });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Blob ${blob} in the backup is damaged`);
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
  });

  it('rejects an archive with a path outside the layout', async () => {
    const crafted = path.join(workDir, 'crafted');
    await mkdir(path.join(crafted, 'inner'), { recursive: true });
    await writeFile(path.join(crafted, 'evil.sh'), 'echo owned');
    const archive = path.join(workDir, 'crafted.tar.gz');
    await tar.create({ gzip: true, file: archive, cwd: crafted }, ['evil.sh']);
    const target = path.join(workDir, 'restored');

    const result = await runCli(['restore', archive], { DATA_DIR: target });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unexpected entries (evil.sh)');
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
    expect((await readdir(workDir)).sort()).toEqual(
      ['crafted', 'crafted.tar.gz', 'data'].sort(),
    );
  });
});
