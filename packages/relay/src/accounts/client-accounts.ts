/**
 * The life of a client's portal account after staff invite the contact:
 * the temporary password from the invitation, the forced change to a
 * permanent password, and reset links. Accounts and sessions stay in the
 * main tables (`storage/sqlite.ts`). The expiry and single use of the
 * temporary password, and the reset tokens, are in the side tables of
 * `outbox/side-database.ts`. Each change that spans tables is one
 * transaction, so a crash leaves either the old or the new state.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Account, Storage } from '../storage/types.js';
import { hashToken, type Accounts, type LoginResult } from './accounts.js';
import { checkNewPassword } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** Default lifetime of a temporary password: 7 days. */
export const DEFAULT_INVITE_VALID_MS = 7 * 24 * 60 * 60 * 1000;
/** Lifetime of a password reset link. */
export const RESET_VALID_MS = 60 * 60 * 1000;

// No 0/O/o or 1/l/I, so a client can type the password from a printout.
const PASSWORD_ALPHABET =
  'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const PASSWORD_GROUPS = 4;
const GROUP_LENGTH = 4;

/** A failed account operation; `status` and `code` go to the client. */
export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    readonly status: 400 | 401 | 403 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface IssuedInvite {
  account: Account;
  temporaryPassword: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

interface CredentialRow {
  temporary_expires_at: number | null;
  temporary_used_at: number | null;
}

interface ResetRow {
  account_id: string;
  expires_at: number;
  used_at: number | null;
}

export interface ClientAccountsOptions {
  storage: Storage;
  accounts: Accounts;
  db: Database.Database;
  inviteValidMs?: number;
}

export class ClientAccounts {
  readonly inviteValidMs: number;
  private readonly storage: Storage;
  private readonly accounts: Accounts;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(options: ClientAccountsOptions) {
    this.storage = options.storage;
    this.accounts = options.accounts;
    this.db = options.db;
    this.inviteValidMs = options.inviteValidMs ?? DEFAULT_INVITE_VALID_MS;
    this.statements = prepare(this.db);
  }

  /**
   * Creates the contact's client account, or resets the one it has, with
   * a new temporary password that must be changed at first login. The
   * account takes `email` as its login; an older temporary password,
   * reset links and every session of the account end.
   */
  async issueInvite(contactId: string, email: string): Promise<IssuedInvite> {
    const temporaryPassword = generateTemporaryPassword();
    const passwordHash = await hashPassword(temporaryPassword);
    const now = Date.now();
    const expiresAt = now + this.inviteValidMs;
    const login = email.toLowerCase();
    const issue = this.db.transaction(() => {
      const owner = this.statements.accountByEmail.get(login) as
        { id: string; contact_id: string | null } | undefined;
      let existing = this.statements.clientByContact.get(contactId) as
        { id: string } | undefined;
      if (owner && owner.id !== existing?.id) {
        throw new AccountError(
          409,
          'email_in_use',
          `The address ${login} already belongs to another account. Give ` +
            'this contact a different address.',
        );
      }
      if (existing) {
        this.statements.updateAccount.run(login, passwordHash, existing.id);
        this.statements.endSessions.run(existing.id);
        this.statements.dropResets.run(existing.id);
      } else {
        existing = { id: randomUUID() };
        this.statements.insertAccount.run({
          id: existing.id,
          email: login,
          contactId,
          passwordHash,
          createdAt: new Date(now).toISOString(),
        });
      }
      this.statements.setCredential.run({ accountId: existing.id, expiresAt });
      return existing.id;
    });
    const accountId = issue.immediate();
    const account = await this.storage.findAccountById(accountId);
    if (!account) throw new Error(`Account ${accountId} vanished.`);
    return { account, temporaryPassword, expiresAt };
  }

  /**
   * Accepts a temporary password once. Call after a successful login;
   * throws when the temporary password expired or was used, and then
   * ends the session that login started.
   */
  async admitLogin(result: LoginResult): Promise<void> {
    const { account } = result;
    if (account.role !== 'client' || !account.mustChangePassword) return;
    const row = this.statements.credential.get(account.id) as
      CredentialRow | undefined;
    if (!row || row.temporary_expires_at === null) return;
    const now = Date.now();
    let failure: AccountError | undefined;
    if (row.temporary_expires_at <= now) {
      failure = new AccountError(
        401,
        'temporary_password_expired',
        'This temporary password has expired. Ask the firm to send a new ' +
          'invitation, or use "Forgot password".',
      );
    } else if (
      this.statements.useCredential.run(now, account.id).changes !== 1
    ) {
      failure = new AccountError(
        401,
        'temporary_password_used',
        'This temporary password was used already. Use "Forgot password" ' +
          'to get a reset link.',
      );
    }
    if (failure) {
      await this.accounts.endSession(result.tokenHash);
      throw failure;
    }
  }

  /**
   * Replaces the password of a signed-in account after checking the
   * current one, ends every session of the account, and starts a new one.
   */
  async changePassword(
    account: Account,
    currentPassword: string,
    newPassword: string,
    ip: string,
  ): Promise<LoginResult> {
    if (!(await verifyPassword(currentPassword, account.passwordHash))) {
      throw new AccountError(
        403,
        'wrong_password',
        'The current password is wrong. Enter the password you logged in ' +
          'with.',
      );
    }
    if (newPassword === currentPassword) {
      throw new AccountError(
        400,
        'password_unchanged',
        'The new password is the same as the current one; choose another.',
      );
    }
    checkNewPassword(newPassword, account.email);
    await this.setPassword(account.id, newPassword);
    return this.accounts.login(account.email, newPassword, ip);
  }

  /** Returns the client account with this login email, if any. */
  async findClient(email: string): Promise<Account | undefined> {
    const account = await this.storage.findAccountByEmail(email.trim());
    return account?.role === 'client' ? account : undefined;
  }

  /**
   * Creates a single-use reset token for an account, valid one hour, and
   * voids the account's earlier tokens. Only the token's hash is stored.
   */
  createResetToken(accountId: string): string {
    const token = randomBytes(32).toString('base64url');
    const create = this.db.transaction(() => {
      this.statements.dropResets.run(accountId);
      this.statements.insertReset.run(
        hashToken(token),
        accountId,
        Date.now() + RESET_VALID_MS,
      );
    });
    create.immediate();
    return token;
  }

  /** Sets a new password with a reset token; the token works once. */
  async resetPassword(token: string, newPassword: string): Promise<Account> {
    const tokenHash = hashToken(token);
    const row = this.statements.reset.get(tokenHash) as ResetRow | undefined;
    if (!row) throw invalidResetLink();
    if (row.used_at !== null) {
      throw new AccountError(
        400,
        'reset_link_used',
        'This reset link was used already. Ask for a new one with ' +
          '"Forgot password".',
      );
    }
    if (row.expires_at <= Date.now()) {
      throw new AccountError(
        400,
        'reset_link_expired',
        'This reset link has expired. Ask for a new one with "Forgot ' +
          'password".',
      );
    }
    const account = await this.storage.findAccountById(row.account_id);
    if (!account) throw invalidResetLink();
    checkNewPassword(newPassword, account.email);
    // Claim the token before the slow hash, so two requests cannot both use it.
    if (this.statements.useReset.run(Date.now(), tokenHash).changes !== 1) {
      throw invalidResetLink();
    }
    await this.setPassword(account.id, newPassword);
    return account;
  }

  private async setPassword(accountId: string, password: string) {
    const passwordHash = await hashPassword(password);
    const update = this.db.transaction(() => {
      this.statements.setPassword.run(passwordHash, accountId);
      this.statements.dropCredential.run(accountId);
      this.statements.endSessions.run(accountId);
    });
    update.immediate();
  }
}

/** Returns a random password such as `k7Qm-x3Pa-9RtZ-wc4N` (about 93 bits). */
export function generateTemporaryPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < PASSWORD_GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) {
      group += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    }
    groups.push(group);
  }
  return groups.join('-');
}

function invalidResetLink(): AccountError {
  return new AccountError(
    400,
    'reset_link_invalid',
    'This reset link is not valid. Ask for a new one with "Forgot password".',
  );
}

function prepare(db: Database.Database) {
  return {
    accountByEmail: db.prepare(
      'SELECT id, contact_id FROM accounts WHERE email = ?',
    ),
    clientByContact: db.prepare(
      "SELECT id FROM accounts WHERE role = 'client' AND contact_id = ?",
    ),
    insertAccount: db.prepare(
      `INSERT INTO accounts (id, email, role, contact_id, password_hash,
         must_change_password, created_at)
       VALUES (@id, @email, 'client', @contactId, @passwordHash, 1,
         @createdAt)`,
    ),
    updateAccount: db.prepare(
      `UPDATE accounts SET email = ?, password_hash = ?,
         must_change_password = 1
       WHERE id = ?`,
    ),
    setPassword: db.prepare(
      `UPDATE accounts SET password_hash = ?, must_change_password = 0
       WHERE id = ?`,
    ),
    endSessions: db.prepare('DELETE FROM sessions WHERE account_id = ?'),
    credential: db.prepare(
      'SELECT * FROM client_credentials WHERE account_id = ?',
    ),
    setCredential: db.prepare(
      `INSERT INTO client_credentials (account_id, temporary_expires_at)
       VALUES (@accountId, @expiresAt)
       ON CONFLICT (account_id) DO UPDATE
         SET temporary_expires_at = @expiresAt, temporary_used_at = NULL`,
    ),
    useCredential: db.prepare(
      `UPDATE client_credentials SET temporary_used_at = ?
       WHERE account_id = ? AND temporary_used_at IS NULL`,
    ),
    dropCredential: db.prepare(
      'DELETE FROM client_credentials WHERE account_id = ?',
    ),
    insertReset: db.prepare(
      `INSERT INTO password_resets (token_hash, account_id, expires_at)
       VALUES (?, ?, ?)`,
    ),
    reset: db.prepare('SELECT * FROM password_resets WHERE token_hash = ?'),
    useReset: db.prepare(
      `UPDATE password_resets SET used_at = ?
       WHERE token_hash = ? AND used_at IS NULL`,
    ),
    dropResets: db.prepare('DELETE FROM password_resets WHERE account_id = ?'),
  };
}
