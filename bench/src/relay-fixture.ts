/** A Portico relay on loopback port 0 with one staff account. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startRelay, type Relay } from '@portico/relay';

export interface RelayFixture {
  relay: Relay;
  /** Bearer token of the staff account. */
  token: string;
  close(): Promise<void>;
}

const STAFF_EMAIL = 'bench@example.com';
const STAFF_PASSWORD = 'a long benchmark password';

/** Starts a relay on a fresh temporary data folder. */
export async function startRelayFixture(
  env: Record<string, string> = {},
): Promise<RelayFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-'));
  const relay = await startRelay(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  await relay.accounts.createStaff(STAFF_EMAIL, STAFF_PASSWORD);
  const { token } = await relay.accounts.login(
    STAFF_EMAIL,
    STAFF_PASSWORD,
    '127.0.0.1',
  );
  const close = async () => {
    await relay.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { relay, token, close };
}

/** Returns the WebSocket URL of the relay's single-doc endpoint. */
export function singleDocUrl(relay: Relay, docName: string): string {
  return `${relay.url.replace(/^http/, 'ws')}/sync/${docName}`;
}
