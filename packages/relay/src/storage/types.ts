/**
 * Persistence used by the relay. The interface is asynchronous and works in
 * whole operations (append a batch, replace compacted rows, find a session)
 * so that a networked database such as PostgreSQL can implement it later.
 * The embedded default is SQLite (`sqlite.ts`).
 */

/** One Yjs update (format v1) to append to a doc's log. */
export interface DocUpdate {
  docName: string;
  update: Uint8Array;
}

/** One row of a doc's update log, in append order. */
export interface StoredUpdate {
  id: number;
  update: Uint8Array;
}

export type Role = 'staff' | 'client';

export interface Account {
  id: string;
  /** Lower-cased; unique across accounts. */
  email: string;
  role: Role;
  /** Contact whose portal doc a client account may read; null for staff. */
  contactId: string | null;
  /** Self-describing hash string, see `accounts/passwords.ts`. */
  passwordHash: string;
  mustChangePassword: boolean;
  /** ISO 8601 UTC. */
  createdAt: string;
}

export type NewAccount = Omit<Account, 'createdAt'>;

export interface Session {
  /** Hex SHA-256 of the session token; the token itself is never stored. */
  tokenHash: string;
  accountId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number;
}

/** A payment provider's webhook event that the relay has handled. */
export interface PaymentEventRecord {
  /** The provider's event id, unique per provider. */
  id: string;
  provider: string;
  /** `recorded` wrote a payment; `rejected` failed the invoice checks. */
  outcome: 'recorded' | 'rejected';
  /** ISO 8601 UTC. */
  processedAt: string;
}

export interface Storage {
  /**
   * Appends every update of the batch durably in one transaction. When the
   * promise resolves, the batch survives a crash of the process or machine.
   */
  appendUpdates(batch: readonly DocUpdate[]): Promise<void>;
  /** Returns a doc's update rows in append order. */
  loadUpdates(docName: string): Promise<StoredUpdate[]>;
  /**
   * Replaces the rows `replacedIds` of a doc by one merged update, in one
   * transaction, so a crash leaves either the old rows or the merged one.
   */
  replaceUpdates(
    docName: string,
    merged: Uint8Array,
    replacedIds: readonly number[],
  ): Promise<void>;

  /** Names of every doc with stored updates, for blob garbage collection. */
  listDocNames(): Promise<string[]>;

  createAccount(account: NewAccount): Promise<Account>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  findAccountById(id: string): Promise<Account | undefined>;
  listAccounts(role?: Role): Promise<Account[]>;

  /** Returns true when a webhook event with this id was handled before. */
  hasPaymentEvent(provider: string, id: string): Promise<boolean>;
  /**
   * Stores a handled webhook event, so a redelivery of it is ignored.
   * Returns false when the event was already stored.
   */
  addPaymentEvent(event: PaymentEventRecord): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  findSession(tokenHash: string): Promise<Session | undefined>;
  deleteSession(tokenHash: string): Promise<void>;

  close(): Promise<void>;
}
