/**
 * A second connection to the relay's SQLite file for the outbox and the
 * client account lifecycle. Its tables are created here with
 * `IF NOT EXISTS`, so they need no step in the main migration list, and
 * every relay process on the same DATA_DIR reads the same rows. Claims and
 * account changes run in `BEGIN IMMEDIATE` transactions, which SQLite
 * serialises across connections and processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../storage/sqlite.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS outbox_deliveries (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    contact_id TEXT,
    details TEXT NOT NULL,
    state TEXT NOT NULL
      CHECK (state IN ('ready', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER NOT NULL,
    claimed_by TEXT,
    claim_expires_at INTEGER,
    sent_at TEXT,
    message_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS outbox_deliveries_due
    ON outbox_deliveries (state, next_attempt_at);

  CREATE TABLE IF NOT EXISTS client_credentials (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    temporary_expires_at INTEGER,
    temporary_used_at INTEGER
  );

  CREATE TABLE IF NOT EXISTS password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS password_resets_by_account
    ON password_resets (account_id);
`;

/**
 * Opens `DATA_DIR/portico.db` with the same durability settings as the
 * main storage. Open the main storage first, because the tables here
 * refer to its `accounts` table.
 */
export function openSideDatabase(dataDir: string): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
