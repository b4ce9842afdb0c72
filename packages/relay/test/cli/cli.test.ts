import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MultiplexClient, type FollowedDoc } from '../sync/y-client.js';
import {
  assertCliBuilt,
  runCli,
  startCliRelay,
  type RunningRelay,
} from './cli-process.js';

const EMAIL = 'ann@firm.example';
const PASSWORD = 'a long staff password';

let dataDir: string;
let running: RunningRelay[] = [];

beforeAll(() => {
  assertCliBuilt();
});

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'portico-cli-'));
});

afterEach(async () => {
  for (const relay of running) {
    if (relay.child.exitCode === null && relay.child.signalCode === null) {
      relay.child.kill('SIGKILL');
      await relay.exited;
    }
  }
  running = [];
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<RunningRelay> {
  const relay = await startCliRelay({ DATA_DIR: dataDir });
  running.push(relay);
  return relay;
}

async function addStaff(): Promise<void> {
  const result = await runCli(
    ['staff', 'add', EMAIL],
    { DATA_DIR: dataDir },
    `${PASSWORD}\n`,
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
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

describe('portico staff', () => {
  it('adds a staff account with a password from stdin', async () => {
    await addStaff();
    const list = await runCli(['staff', 'list'], { DATA_DIR: dataDir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(EMAIL);
  });

  it('refuses a duplicate account', async () => {
    await addStaff();
    const again = await runCli(
      ['staff', 'add', EMAIL],
      { DATA_DIR: dataDir },
      `${PASSWORD}\n`,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('refuses a short password', async () => {
    const result = await runCli(
      ['staff', 'add', EMAIL],
      { DATA_DIR: dataDir },
      'short\n',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('use at least 12');
  });

  it('refuses a common password', async () => {
    const result = await runCli(
      ['staff', 'add', EMAIL],
      { DATA_DIR: dataDir },
      'password1234\n',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('common passwords');
  });
});

describe('portico start', () => {
  it('names an invalid variable and exits', async () => {
    const result = await runCli(['start'], {
      DATA_DIR: dataDir,
      PORT: 'eighty',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
  });

  it('explains how to add the first staff account', async () => {
    const relay = await start();
    expect(relay.output()).toContain('portico staff add');
  });

  it('exits 0 on SIGTERM', async () => {
    await addStaff();
    const relay = await start();
    const client = await MultiplexClient.connect(relay.url, {
      token: await login(relay.url),
    });
    client.follow('firm');
    await client.waitForSynced('firm');

    relay.child.kill('SIGTERM');
    const closed = await client.waitForClose();
    const exit = await relay.exited;
    expect(closed.code).toBe(1001);
    expect(exit.code).toBe(0);
  });

  it('keeps every acknowledged change across kill -9', async () => {
    await addStaff();
    const first = await start();
    const token = await login(first.url);
    const writer = await MultiplexClient.connect(first.url, { token });
    const docs = ['firm', 'portal/c1', 'portal/c2'];
    for (const name of docs) writer.follow(name);
    for (const name of docs) await writer.waitForSynced(name);

    // Write in bursts; note the write number of each change so that the
    // acknowledged ones are known when the relay dies mid-stream.
    const sent: { doc: string; key: string; number: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const doc = docs[i % docs.length] ?? 'firm';
      const followed = writer.doc(doc);
      followed.doc.getMap('records').set(`r${i}`, i);
      sent.push({ doc, key: `r${i}`, number: followed.writes });
      if (i === 150) await writer.waitForAllStored(doc);
    }
    await writer.waitFor(
      () => writer.doc('firm').stored >= 60,
      'sixty acknowledged writes on firm',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await writer.waitForClose();

    const acknowledged = sent.filter(
      ({ doc, number }) => number <= writer.doc(doc).stored,
    );
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const second = await start();
    const reader = await MultiplexClient.connect(second.url, {
      token: await login(second.url),
    });
    const readDocs = new Map<string, FollowedDoc>();
    for (const name of docs) readDocs.set(name, reader.follow(name));
    for (const name of docs) await reader.waitForSynced(name);

    const missing = acknowledged.filter(
      ({ doc, key }) => !readDocs.get(doc)?.doc.getMap('records').has(key),
    );
    expect(missing).toEqual([]);
    reader.close();
  });
});
