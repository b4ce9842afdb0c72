import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Account, Storage } from '../storage/types.js';
import { checkNewPassword } from './password-policy.js';
import { LoginLimiter } from './login-limiter.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';

/** Shortest password accepted for a new account. */
export const MIN_PASSWORD_LENGTH = 10;
/** Session lifetime; the cookie's Max-Age matches it. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const TOKEN_BYTES = 32;

/** An account and the session that authenticated it. */
export interface Authenticated {
  account: Account;
  tokenHash: string;
}

export interface LoginResult extends Authenticated {
  /** Session token for the cookie or the bearer header; never stored. */
  token: string;
}

/** A rejected login. `status` is the HTTP status of the response. */
export class LoginError extends Error {
  override name = 'LoginError';
  constructor(
    readonly status: 400 | 401 | 429,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const emailSchema = z.email();

/** Accounts, password checks and sessions on top of `Storage`. */
export class Accounts {
  private readonly limiter = new LoginLimiter();

  constructor(private readonly storage: Storage) {}

  /**
   * Creates a staff account. Staff reach every client's data, so their
   * password follows the same rules as a client's chosen one: length,
   * common-password list, not the email. `WeakPasswordError` names the
   * rule that failed.
   */
  createStaff(email: string, password: string): Promise<Account> {
    checkNewPassword(password, email);
    return this.create(email, password, {
      role: 'staff',
      contactId: null,
      mustChangePassword: false,
    });
  }

  createClient(
    email: string,
    password: string,
    contactId: string,
    options: { mustChangePassword: boolean } = { mustChangePassword: true },
  ): Promise<Account> {
    return this.create(email, password, {
      role: 'client',
      contactId,
      mustChangePassword: options.mustChangePassword,
    });
  }

  listStaff(): Promise<Account[]> {
    return this.storage.listAccounts('staff');
  }

  /**
   * Checks the password and starts a new session. Failures are counted per
   * account and per IP address; once either budget is spent, logins fail
   * with status 429 until the window ends.
   */
  async login(email: string, password: string, ip: string) {
    const retryAfter = await this.limiter.retryAfter(email, ip);
    if (retryAfter !== undefined) {
      throw new LoginError(
        429,
        'too_many_attempts',
        'Too many failed logins; try again later.',
        retryAfter,
      );
    }
    const account = await this.storage.findAccountByEmail(email);
    const valid = await verifyPassword(
      password,
      account?.passwordHash ?? (await dummyHash()),
    );
    if (!account || !valid) {
      await this.limiter.recordFailure(email, ip);
      throw new LoginError(
        401,
        'invalid_credentials',
        'Wrong email or password.',
      );
    }
    await this.limiter.recordSuccess(email);
    return this.startSession(account);
  }

  /** Returns the account of a live session token, or undefined. */
  async authenticate(token: string): Promise<Authenticated | undefined> {
    const tokenHash = hashToken(token);
    const session = await this.storage.findSession(tokenHash);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      await this.storage.deleteSession(tokenHash);
      return undefined;
    }
    const account = await this.storage.findAccountById(session.accountId);
    return account ? { account, tokenHash } : undefined;
  }

  /** Ends a session; unknown tokens are ignored. */
  async endSession(tokenHash: string): Promise<void> {
    await this.storage.deleteSession(tokenHash);
  }

  private async startSession(account: Account): Promise<LoginResult> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const tokenHash = hashToken(token);
    const now = Date.now();
    await this.storage.createSession({
      tokenHash,
      accountId: account.id,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    });
    return { account, token, tokenHash };
  }

  private async create(
    email: string,
    password: string,
    fields: Pick<Account, 'role' | 'contactId' | 'mustChangePassword'>,
  ): Promise<Account> {
    const normalized = email.trim().toLowerCase();
    if (!emailSchema.safeParse(normalized).success) {
      throw new Error(`Invalid email address "${email}".`);
    }
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new Error(
        `Password too short: use at least ${MIN_PASSWORD_LENGTH} characters.`,
      );
    }
    if (await this.storage.findAccountByEmail(normalized)) {
      throw new Error(`An account for ${normalized} already exists.`);
    }
    return this.storage.createAccount({
      id: randomUUID(),
      email: normalized,
      passwordHash: await hashPassword(password),
      ...fields,
    });
  }
}

/** Hex SHA-256 of a session token, the form sessions are stored under. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
