/**
 * A real relay in the test process, on 127.0.0.1 and a free port, with
 * its data in a temp dir. Other integration tests reuse it: pass extra
 * environment variables (SMTP_URL, FIRM_NAME, ...) and relay options.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfig,
  startRelay,
  type Relay,
  type RelayOptions,
} from '@portico/relay';

export const STAFF_EMAIL = 'staff@firm.example';
export const STAFF_PASSWORD = 'staff password for tests';

export interface TestRelay {
  relay: Relay;
  url: string;
  dataDir: string;
  /** Creates the staff account once and returns a fresh bearer token. */
  staffToken(): Promise<string>;
  /** Stops and starts the relay on the same data folder and port 0. */
  restart(): Promise<Relay>;
  /** Stops the relay and removes its data folder. */
  close(): Promise<void>;
}

export async function startTestRelay(
  env: Record<string, string> = {},
  options: RelayOptions = {},
): Promise<TestRelay> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-it-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const start = () => startRelay(config, options);
  let staffCreated = false;
  const handle: TestRelay = {
    relay: await start(),
    get url() {
      return handle.relay.url;
    },
    dataDir,
    async staffToken() {
      if (!staffCreated) {
        await handle.relay.accounts.createStaff(STAFF_EMAIL, STAFF_PASSWORD);
        staffCreated = true;
      }
      const result = await login(handle.url, STAFF_EMAIL, STAFF_PASSWORD);
      if (result.status !== 200 || result.token === undefined) {
        throw new Error(`Staff login failed with status ${result.status}.`);
      }
      return result.token;
    },
    async restart() {
      await handle.relay.close();
      handle.relay = await start();
      return handle.relay;
    },
    async close() {
      await handle.relay.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** Sends a JSON request with an optional bearer token. */
export async function api(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) {
    headers['authorization'] = `Bearer ${options.token}`;
  }
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.status, body, headers: response.headers };
}

export interface LoginResponse extends ApiResponse {
  token: string | undefined;
  mustChangePassword: boolean | undefined;
}

/** Calls `POST /api/auth/login` and returns the status and token. */
export async function login(
  url: string,
  email: string,
  password: string,
): Promise<LoginResponse> {
  const response = await api(url, 'POST', '/api/auth/login', {
    body: { email, password },
  });
  const { token, mustChangePassword } = response.body;
  return {
    ...response,
    token: typeof token === 'string' ? token : undefined,
    mustChangePassword:
      typeof mustChangePassword === 'boolean' ? mustChangePassword : undefined,
  };
}

/** Returns the `{ code }` of an API error body. */
export function errorCode(response: ApiResponse): unknown {
  const error = response.body['error'] as { code?: unknown } | undefined;
  return error?.code;
}
