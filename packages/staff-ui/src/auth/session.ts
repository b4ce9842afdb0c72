/**
 * Login, logout and session checks against the relay's auth API. The relay
 * sets an HttpOnly session cookie, which the app never reads. The app keeps
 * only the signed-in email locally, so that a reload with no network can
 * reopen that account's replica.
 */

export interface StaffAccount {
  email: string;
}

/** Result of checking the session when the app starts. */
export type SessionCheck =
  | { kind: 'signed-in'; account: StaffAccount }
  /** The relay is unreachable; the account last signed in on this device. */
  | { kind: 'offline'; account: StaffAccount }
  | { kind: 'signed-out' };

/** A failure the login form shows as it is. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface AuthClientOptions {
  /** Origin of the relay, such as `location.origin`. */
  relayUrl: string;
  fetch?: typeof fetch;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

interface SessionBody {
  role?: unknown;
  email?: unknown;
  mustChangePassword?: unknown;
}

const ACCOUNT_KEY = 'portico.staff.account';

export class AuthClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AuthClientOptions) {
    // Bound, because calling the global fetch as a method throws.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async check(): Promise<SessionCheck> {
    let response: Response;
    try {
      response = await this.request('GET', '/api/auth/session');
    } catch {
      const account = this.rememberedAccount();
      return account ? { kind: 'offline', account } : { kind: 'signed-out' };
    }
    // Only 401 means the session has ended. A 403 (such as a rejected Origin)
    // asks for a new login but keeps the account for offline starts.
    if (response.status === 401) this.forget();
    if (response.status === 401 || response.status === 403) {
      return { kind: 'signed-out' };
    }
    const body = await readBody(response);
    const account = staffAccountOf(body);
    this.remember(account);
    return { kind: 'signed-in', account };
  }

  async login(email: string, password: string): Promise<StaffAccount> {
    let response: Response;
    try {
      response = await this.request('POST', '/api/auth/login', {
        email,
        password,
      });
    } catch {
      throw new AuthError(
        'The relay cannot be reached, so you cannot log in now. Check the ' +
          'network connection and try again.',
      );
    }
    const body = await readBody(response);
    const account = staffAccountOf({ ...body, email });
    this.remember(account);
    return account;
  }

  /**
   * Ends the session on the relay when it can be reached. The local
   * record of the account is removed either way, so the next start shows
   * the login form. Returns false when the logout request failed.
   */
  async logout(): Promise<boolean> {
    this.forget();
    try {
      const response = await this.request('POST', '/api/auth/logout');
      return response.ok;
    } catch {
      return false;
    }
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
  ): Promise<Response> {
    const init: RequestInit = {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    return this.fetch(new URL(path, this.options.relayUrl), init);
  }

  private rememberedAccount(): StaffAccount | undefined {
    const email = this.options.storage?.getItem(ACCOUNT_KEY);
    return email ? { email } : undefined;
  }

  private remember(account: StaffAccount): void {
    this.options.storage?.setItem(ACCOUNT_KEY, account.email);
  }

  private forget(): void {
    this.options.storage?.removeItem(ACCOUNT_KEY);
  }
}

/** Parses a JSON reply, throwing the relay's error message on failure. */
async function readBody(response: Response): Promise<SessionBody> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new AuthError(relayErrorMessage(response, body));
  if (typeof body !== 'object' || body === null) {
    throw new AuthError(
      `The relay sent an unexpected reply (HTTP ${response.status}). ` +
        'Reload the page; if this repeats, tell your administrator.',
    );
  }
  return body;
}

function relayErrorMessage(response: Response, body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  if (typeof error?.message === 'string') return error.message;
  if (response.status === 429) {
    return 'Too many login attempts. Wait a few minutes and try again.';
  }
  return (
    `The relay failed the request (HTTP ${response.status}). Try again; ` +
    'if this repeats, tell your administrator.'
  );
}

/** Accepts staff accounts whose password is usable, else throws. */
function staffAccountOf(body: SessionBody): StaffAccount {
  if (body.role !== 'staff') {
    throw new AuthError(
      'This is a client portal account. Clients log in to the portal at ' +
        'the site root; the staff app needs a staff account.',
    );
  }
  if (body.mustChangePassword === true) {
    // TODO: a change-password form, once the relay lets staff use it.
    throw new AuthError(
      'This account must choose a new password before it can be used. ' +
        'Ask your administrator to set one with "portico staff add".',
    );
  }
  if (typeof body.email !== 'string' || body.email === '') {
    throw new AuthError('The relay sent a session without an email address.');
  }
  return { email: body.email };
}
