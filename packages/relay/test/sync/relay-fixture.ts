import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startRelay, type Relay, type RelayOptions } from '../../src/relay.js';

export const STAFF_PASSWORD = 'staff password 1';
export const CLIENT_PASSWORD = 'client password 1';

export interface RelayFixture {
  relay: Relay;
  dataDir: string;
  /** Stops the relay and removes its data folder. */
  stop(): Promise<void>;
  /** Starts the relay again on the same data folder. */
  restart(): Promise<Relay>;
}

/** Starts a relay on a free port with a fresh temporary data folder. */
export async function startTestRelay(
  env: Record<string, string> = {},
  options: RelayOptions = {},
): Promise<RelayFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portico-relay-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const start = () =>
    startRelay(config, { logger: pino({ level: 'silent' }), ...options });
  const fixture: RelayFixture = {
    relay: await start(),
    dataDir,
    async stop() {
      await fixture.relay.close();
      await rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await fixture.relay.close();
      fixture.relay = await start();
      return fixture.relay;
    },
  };
  return fixture;
}

/** Creates a staff account and returns a session token for it. */
export async function staffToken(relay: Relay, email: string) {
  await relay.accounts.createStaff(email, STAFF_PASSWORD);
  const { token } = await relay.accounts.login(email, STAFF_PASSWORD, 'test');
  return token;
}

/** Creates a client account for a contact and returns a session token. */
export async function clientToken(
  relay: Relay,
  email: string,
  contactId: string,
) {
  await relay.accounts.createClient(email, CLIENT_PASSWORD, contactId, {
    mustChangePassword: false,
  });
  const { token } = await relay.accounts.login(email, CLIENT_PASSWORD, 'test');
  return token;
}
