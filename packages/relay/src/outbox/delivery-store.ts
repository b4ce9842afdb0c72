/**
 * The relay's own record of each outbox message it was asked to send. The
 * firm doc shows staff the state, but this table decides it: a message is
 * claimed here before an attempt and marked `sent` here before the doc
 * says so, so no relay process sends it twice.
 */
import type Database from 'better-sqlite3';
import type { OutboxMessage } from '@portico/engine';

export type DeliveryState = 'ready' | 'sent' | 'failed' | 'cancelled';

/** Values the relay needs to render one message, read when it was queued. */
export interface DeliveryDetails {
  /** Greeting name (portal-invite, file-notice). */
  recipientName?: string;
  /** Shared file names (file-notice). */
  fileNames?: string[];
  /** Uploader and file (staff-notice). */
  clientName?: string;
  fileName?: string;
}

export interface Delivery {
  id: string;
  kind: OutboxMessage['kind'];
  recipient: string;
  contactId: string | undefined;
  details: DeliveryDetails;
  state: DeliveryState;
  attempts: number;
  lastError: string | undefined;
  /** Milliseconds since the epoch. */
  nextAttemptAt: number;
  sentAt: string | undefined;
  messageId: string | undefined;
}

export type NewDelivery = Pick<
  Delivery,
  'id' | 'kind' | 'recipient' | 'contactId' | 'details'
>;

interface DeliveryRow {
  id: string;
  kind: OutboxMessage['kind'];
  recipient: string;
  contact_id: string | null;
  details: string;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  sent_at: string | null;
  message_id: string | null;
}

/** Outbox deliveries in SQLite; see `side-database.ts` for the table. */
export class DeliveryStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = prepare(db);
  }

  /** Adds a message as ready now; returns false when it is known already. */
  enqueue(delivery: NewDelivery, now = Date.now()): boolean {
    const result = this.statements.insert.run({
      id: delivery.id,
      kind: delivery.kind,
      recipient: delivery.recipient,
      contact_id: delivery.contactId ?? null,
      details: JSON.stringify(delivery.details),
      now,
    });
    return result.changes === 1;
  }

  get(id: string): Delivery | undefined {
    const row = this.statements.get.get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  /** Makes a `failed` message ready again with a fresh attempt budget. */
  requeue(id: string, now = Date.now()): boolean {
    return this.statements.requeue.run({ id, now }).changes === 1;
  }

  /** Cancels a message that waits and is not claimed. */
  cancel(id: string, now = Date.now()): boolean {
    return this.statements.cancel.run({ id, now }).changes === 1;
  }

  /** Cancels a message that `owner` claimed but has not tried yet. */
  cancelClaimed(owner: string, id: string): boolean {
    return this.statements.cancelClaimed.run(owner, id).changes === 1;
  }

  /**
   * Claims up to `limit` ready messages that are due and not claimed by a
   * live owner. The claim is one write transaction, so two processes never
   * claim the same message; a claim lapses after `leaseMs` in case its
   * owner died mid-send.
   */
  claimDue(owner: string, limit: number, leaseMs: number): Delivery[] {
    const now = Date.now();
    const claim = this.db.transaction(() => {
      const rows = this.statements.due.all(now, now, limit) as DeliveryRow[];
      for (const row of rows) {
        this.statements.claim.run(owner, now + leaseMs, row.id);
      }
      return rows;
    });
    return claim.immediate().map(toDelivery);
  }

  /** Records a successful send; returns false if `owner` lost the claim. */
  markSent(owner: string, id: string, sentAt: string, messageId: string) {
    const result = this.statements.sent.run({ owner, id, sentAt, messageId });
    return result.changes === 1;
  }

  /** Records a temporary failure and when to try again. */
  markRetry(
    owner: string,
    id: string,
    attempts: number,
    error: string,
    nextAttemptAt: number,
  ): boolean {
    const result = this.statements.retry.run({
      owner,
      id,
      attempts,
      error,
      nextAttemptAt,
    });
    return result.changes === 1;
  }

  markFailed(owner: string, id: string, attempts: number, error: string) {
    const result = this.statements.failed.run({ owner, id, attempts, error });
    return result.changes === 1;
  }

  /** Gives back the claims of `owner`, such as at shutdown. */
  releaseClaims(owner: string): void {
    this.statements.release.run(owner);
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO outbox_deliveries
         (id, kind, recipient, contact_id, details, state, next_attempt_at,
          created_at)
       VALUES (@id, @kind, @recipient, @contact_id, @details, 'ready', @now,
          @now)`,
    ),
    get: db.prepare('SELECT * FROM outbox_deliveries WHERE id = ?'),
    requeue: db.prepare(
      `UPDATE outbox_deliveries
         SET state = 'ready', attempts = 0, next_attempt_at = @now,
             claimed_by = NULL, claim_expires_at = NULL
       WHERE id = @id AND state = 'failed'`,
    ),
    cancel: db.prepare(
      `UPDATE outbox_deliveries SET state = 'cancelled'
       WHERE id = @id AND state = 'ready'
         AND (claimed_by IS NULL OR claim_expires_at <= @now)`,
    ),
    cancelClaimed: db.prepare(
      `UPDATE outbox_deliveries
         SET state = 'cancelled', claimed_by = NULL, claim_expires_at = NULL
       WHERE claimed_by = ? AND id = ? AND state = 'ready'`,
    ),
    due: db.prepare(
      `SELECT * FROM outbox_deliveries
       WHERE state = 'ready' AND next_attempt_at <= ?
         AND (claimed_by IS NULL OR claim_expires_at <= ?)
       ORDER BY next_attempt_at, created_at
       LIMIT ?`,
    ),
    claim: db.prepare(
      `UPDATE outbox_deliveries SET claimed_by = ?, claim_expires_at = ?
       WHERE id = ?`,
    ),
    sent: db.prepare(
      `UPDATE outbox_deliveries
         SET state = 'sent', sent_at = @sentAt, message_id = @messageId,
             attempts = attempts + 1, last_error = NULL,
             claimed_by = NULL, claim_expires_at = NULL
       WHERE id = @id AND claimed_by = @owner AND state = 'ready'`,
    ),
    retry: db.prepare(
      `UPDATE outbox_deliveries
         SET attempts = @attempts, last_error = @error,
             next_attempt_at = @nextAttemptAt,
             claimed_by = NULL, claim_expires_at = NULL
       WHERE id = @id AND claimed_by = @owner AND state = 'ready'`,
    ),
    failed: db.prepare(
      `UPDATE outbox_deliveries
         SET state = 'failed', attempts = @attempts, last_error = @error,
             claimed_by = NULL, claim_expires_at = NULL
       WHERE id = @id AND claimed_by = @owner AND state = 'ready'`,
    ),
    release: db.prepare(
      `UPDATE outbox_deliveries SET claimed_by = NULL, claim_expires_at = NULL
       WHERE claimed_by = ?`,
    ),
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    kind: row.kind,
    recipient: row.recipient,
    contactId: row.contact_id ?? undefined,
    details: JSON.parse(row.details) as DeliveryDetails,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at ?? undefined,
    messageId: row.message_id ?? undefined,
  };
}
