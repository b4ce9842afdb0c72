/** A real relay on 127.0.0.1 and a free port, with its data in a temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startRelay, type Relay } from '@portico/relay';

export const STAFF_PASSWORD = 'correct horse battery staple 42';

export interface TestRelay {
  relay: Relay;
  url: string;
  /** Creates a staff account and returns its bearer token. */
  staffToken(email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestRelay(): Promise<TestRelay> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-sync-'));
  const relay = await startRelay(
    loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
  );
  return {
    relay,
    url: relay.url,
    async staffToken(email) {
      await relay.accounts.createStaff(email, STAFF_PASSWORD);
      return login(relay.url, email, STAFF_PASSWORD);
    },
    async close() {
      await relay.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function login(
  url: string,
  email: string,
  password: string,
): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) {
    throw new Error(`Login of ${email} failed with status ${response.status}.`);
  }
  const body = (await response.json()) as { token: string };
  return body.token;
}
