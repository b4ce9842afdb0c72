import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  Account,
  DocUpdate,
  NewAccount,
  PaymentEventRecord,
  Role,
  Session,
  Storage,
  StoredUpdate,
} from './types.js';

/** File name of the database inside DATA_DIR. */
export const DATABASE_FILE = 'portico.db';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how
 * many have run. Append new steps, never edit a released one.
 */
const MIGRATIONS = [
  `
  CREATE TABLE doc_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_name TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX doc_updates_by_doc ON doc_updates (doc_name, id);

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('staff', 'client')),
    contact_id TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_account ON sessions (account_id);
  `,
  // Payment webhook events already handled, so a redelivery is ignored.
  `
  CREATE TABLE IF NOT EXISTS payment_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
  );
  `,
];

interface AccountRow {
  id: string;
  email: string;
  role: Role;
  contact_id: string | null;
  password_hash: string;
  must_change_password: number;
  created_at: string;
}

interface SessionRow {
  token_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
}

/**
 * Storage on one SQLite file. better-sqlite3 is synchronous, so every
 * method does its work before returning a settled promise; WAL with
 * `synchronous = FULL` makes each committed transaction durable on return.
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.statements = prepareStatements(this.db);
  }

  /** Opens (creating if needed) `DATA_DIR/portico.db`. */
  static open(dataDir: string): SqliteStorage {
    fs.mkdirSync(dataDir, { recursive: true });
    return new SqliteStorage(path.join(dataDir, DATABASE_FILE));
  }

  appendUpdates(batch: readonly DocUpdate[]): Promise<void> {
    return this.run(() => this.appendTransaction(batch));
  }

  loadUpdates(docName: string): Promise<StoredUpdate[]> {
    return this.run(() => {
      const rows = this.statements.loadUpdates.all(docName) as {
        id: number;
        data: Buffer;
      }[];
      return rows.map((row) => ({ id: row.id, update: toBytes(row.data) }));
    });
  }

  listDocNames(): Promise<string[]> {
    return this.run(() => {
      const rows = this.statements.docNames.all() as { doc_name: string }[];
      return rows.map((row) => row.doc_name);
    });
  }

  replaceUpdates(
    docName: string,
    merged: Uint8Array,
    replacedIds: readonly number[],
  ): Promise<void> {
    return this.run(() =>
      this.replaceTransaction(docName, merged, replacedIds),
    );
  }

  createAccount(account: NewAccount): Promise<Account> {
    return this.run(() => {
      const created: Account = {
        ...account,
        email: account.email.toLowerCase(),
        createdAt: new Date().toISOString(),
      };
      this.statements.insertAccount.run({
        id: created.id,
        email: created.email,
        role: created.role,
        contact_id: created.contactId,
        password_hash: created.passwordHash,
        must_change_password: created.mustChangePassword ? 1 : 0,
        created_at: created.createdAt,
      });
      return created;
    });
  }

  findAccountByEmail(email: string): Promise<Account | undefined> {
    return this.run(() => {
      const row = this.statements.accountByEmail.get(email.toLowerCase());
      return row ? toAccount(row as AccountRow) : undefined;
    });
  }

  findAccountById(id: string): Promise<Account | undefined> {
    return this.run(() => {
      const row = this.statements.accountById.get(id);
      return row ? toAccount(row as AccountRow) : undefined;
    });
  }

  listAccounts(role?: Role): Promise<Account[]> {
    return this.run(() => {
      const rows = (
        role
          ? this.statements.accountsByRole.all(role)
          : this.statements.allAccounts.all()
      ) as AccountRow[];
      return rows.map(toAccount);
    });
  }

  hasPaymentEvent(provider: string, id: string): Promise<boolean> {
    return this.run(
      () => this.statements.paymentEvent.get(provider, id) !== undefined,
    );
  }

  addPaymentEvent(event: PaymentEventRecord): Promise<boolean> {
    return this.run(() => {
      const result = this.statements.insertPaymentEvent.run({
        provider: event.provider,
        event_id: event.id,
        outcome: event.outcome,
        processed_at: event.processedAt,
      });
      return result.changes === 1;
    });
  }

  createSession(session: Session): Promise<void> {
    return this.run(() => {
      this.statements.insertSession.run({
        token_hash: session.tokenHash,
        account_id: session.accountId,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      });
    });
  }

  findSession(tokenHash: string): Promise<Session | undefined> {
    return this.run(() => {
      const row = this.statements.sessionByHash.get(tokenHash) as
        SessionRow | undefined;
      if (!row) return undefined;
      return {
        tokenHash: row.token_hash,
        accountId: row.account_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    });
  }

  deleteSession(tokenHash: string): Promise<void> {
    return this.run(() => {
      this.statements.deleteSession.run(tokenHash);
    });
  }

  close(): Promise<void> {
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  /** Turns a synchronous call into a promise, throws into rejections. */
  private run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  private appendTransaction(batch: readonly DocUpdate[]): void {
    const insert = this.statements.insertUpdate;
    this.db.transaction(() => {
      for (const { docName, update } of batch) insert.run(docName, update);
    })();
  }

  private replaceTransaction(
    docName: string,
    merged: Uint8Array,
    replacedIds: readonly number[],
  ): void {
    const { insertUpdate, deleteUpdate } = this.statements;
    this.db.transaction(() => {
      insertUpdate.run(docName, merged);
      for (const id of replacedIds) deleteUpdate.run(id, docName);
    })();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step] ?? '');
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    insertUpdate: db.prepare(
      'INSERT INTO doc_updates (doc_name, data) VALUES (?, ?)',
    ),
    docNames: db.prepare(
      'SELECT DISTINCT doc_name FROM doc_updates ORDER BY doc_name',
    ),
    loadUpdates: db.prepare(
      'SELECT id, data FROM doc_updates WHERE doc_name = ? ORDER BY id',
    ),
    deleteUpdate: db.prepare(
      'DELETE FROM doc_updates WHERE id = ? AND doc_name = ?',
    ),
    insertAccount: db.prepare(
      `INSERT INTO accounts (id, email, role, contact_id, password_hash,
         must_change_password, created_at)
       VALUES (@id, @email, @role, @contact_id, @password_hash,
         @must_change_password, @created_at)`,
    ),
    accountByEmail: db.prepare('SELECT * FROM accounts WHERE email = ?'),
    accountById: db.prepare('SELECT * FROM accounts WHERE id = ?'),
    accountsByRole: db.prepare(
      'SELECT * FROM accounts WHERE role = ? ORDER BY created_at, email',
    ),
    allAccounts: db.prepare('SELECT * FROM accounts ORDER BY created_at'),
    insertSession: db.prepare(
      `INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
       VALUES (@token_hash, @account_id, @created_at, @expires_at)`,
    ),
    paymentEvent: db.prepare(
      'SELECT 1 FROM payment_events WHERE provider = ? AND event_id = ?',
    ),
    insertPaymentEvent: db.prepare(
      `INSERT OR IGNORE INTO payment_events
         (provider, event_id, outcome, processed_at)
       VALUES (@provider, @event_id, @outcome, @processed_at)`,
    ),
    sessionByHash: db.prepare('SELECT * FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
  };
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    contactId: row.contact_id,
    passwordHash: row.password_hash,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
  };
}

/** Copies a Buffer into a plain Uint8Array that owns its memory. */
function toBytes(data: Buffer): Uint8Array {
  return new Uint8Array(data);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
