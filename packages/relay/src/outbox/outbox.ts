/**
 * The outbox drainer. Staff queue messages in the firm doc. The relay
 * copies each `queued` message into its delivery table and claims it
 * there. After the send it records the result in that table first, and
 * only then writes the new state into the firm doc for staff to see. Every relay process on the same
 * DATA_DIR claims from the same table, so a message goes out once (see
 * `DeliveryStore` for the claim and its lease).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import { FIRM_DOC } from '@portico/engine/protocol';
import {
  describeValue,
  renderMessage,
  validateEmailAddress,
  type MessageInput,
} from '@portico/engine/mail';
import {
  AccountError,
  type ClientAccounts,
} from '../accounts/client-accounts.js';
import {
  backoffDelay,
  classifySendError,
  InvalidMessageError,
  type BackoffOptions,
  type Mailer,
  type OutgoingMessage,
} from '../mail/mailer.js';
import type { Storage } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';
import type { RelayDoc } from '../sync/relay-doc.js';
import {
  DeliveryStore,
  type Delivery,
  type DeliveryDetails,
  type NewDelivery,
} from './delivery-store.js';
import { resetUrlOf, type MailSettings } from './mail-settings.js';
import {
  isRecordMap,
  readRecord,
  snapshotOf,
  updateOutboxRecord,
  type OutboxFields,
} from './records.js';

/** Attempts before a message that keeps failing temporarily ends `failed`. */
export const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_POLL_MS = 1000;
/** Longer than the mailer's SMTP timeouts, so a live send keeps its claim. */
const DEFAULT_LEASE_MS = 5 * 60 * 1000;
const CLAIM_BATCH = 10;

export interface OutboxOptions {
  docs: DocManager;
  storage: Storage;
  deliveries: DeliveryStore;
  clientAccounts: ClientAccounts;
  mailer: Mailer;
  logger: Logger;
  settings: MailSettings;
  publicUrl: string;
  /** Recipient of staff notices; unset turns them off. */
  firmNotifyEmail?: string;
  pollMs?: number;
  maxAttempts?: number;
  leaseMs?: number;
  retry?: BackoffOptions;
}

export interface StaffNotice {
  clientName: string;
  fileName: string;
  contactId: string;
}

// Marks the catch-up from storage, which another relay process may have
// written to; it is stored already, so it is only applied and broadcast.
const ORIGIN_STORAGE = Object.freeze({ writer: 'storage' });

export class Outbox {
  /** Identifies this process's claims in the delivery table. */
  readonly owner = randomUUID();
  private readonly logger: Logger;
  private stopWatching: (() => void) | undefined;
  private readonly watched = new WeakSet<RelayDoc>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private reconciling: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: OutboxOptions) {
    this.logger = options.logger.child({ component: 'outbox' });
  }

  /**
   * Watches the firm doc whenever it is loaded, picks up messages queued
   * while no relay ran, and starts polling the delivery table.
   */
  async start(): Promise<void> {
    const { docs } = this.options;
    this.stopWatching = docs.onLoad((doc) => {
      if (doc.name === FIRM_DOC) this.watch(doc);
    });
    // Watching reconciles every record, which picks up messages queued
    // while no relay ran. The firm doc may be loaded already.
    const firm = await docs.acquire(FIRM_DOC);
    this.watch(firm);
    docs.release(FIRM_DOC);
    const pollMs = this.options.pollMs ?? DEFAULT_POLL_MS;
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
  }

  /**
   * Reconciles every outbox record of a freshly loaded firm doc, because
   * another relay process may have stored changes meanwhile, and then
   * each record that changes while the doc stays loaded.
   */
  private watch(firm: RelayDoc): void {
    if (this.watched.has(firm)) return;
    this.watched.add(firm);
    const outbox = firm.doc.getMap<unknown>('outbox');
    this.scheduleReconcile([...outbox.keys()]);
    outbox.observeDeep((events) => {
      const ids = new Set<string>();
      for (const event of events) {
        if (event.target === outbox) {
          for (const key of event.keys.keys()) ids.add(key);
        } else if (event.path[0] !== undefined) {
          ids.add(String(event.path[0]));
        }
      }
      this.scheduleReconcile([...ids]);
    });
  }

  /** Starts a drain pass now, or right after the one running. */
  kick(): void {
    if (this.closed) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
    });
  }

  /** Waits until no drain pass runs; for tests and shutdown. */
  async idle(): Promise<void> {
    await this.reconciling;
    while (this.draining) await this.draining;
  }

  /**
   * Queues a notice to FIRM_NOTIFY_EMAIL that a client uploaded a file.
   * Returns the outbox id, or undefined when no notify address is set.
   */
  async queueStaffNotice(notice: StaffNotice): Promise<string | undefined> {
    const to = this.options.firmNotifyEmail;
    if (to === undefined) {
      this.logger.info(
        { contactId: notice.contactId },
        'FIRM_NOTIFY_EMAIL is unset, so no staff notice was queued',
      );
      return undefined;
    }
    return this.queueOwnMessage({
      id: randomUUID(),
      kind: 'staff-notice',
      recipient: to,
      contactId: notice.contactId,
      details: { clientName: notice.clientName, fileName: notice.fileName },
    });
  }

  /** Queues a reset link for a client account; the token is made at send. */
  async queuePasswordReset(email: string, contactId: string | null) {
    return this.queueOwnMessage({
      id: randomUUID(),
      kind: 'password-reset',
      recipient: email,
      contactId: contactId ?? undefined,
      details: {},
    });
  }

  /** Stops polling, lets the running pass finish and gives back claims. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching?.();
    clearInterval(this.timer);
    await this.idle();
    this.options.deliveries.releaseClaims(this.owner);
    this.options.mailer.close();
  }

  /**
   * Records a message the relay makes itself: first in the delivery table,
   * so that a crash cannot leave a doc record without its details, then
   * in the firm doc.
   */
  private async queueOwnMessage(delivery: NewDelivery): Promise<string> {
    this.options.deliveries.enqueue(delivery);
    await this.options.docs.writeAsRelay(FIRM_DOC, (doc) =>
      updateOutboxRecord(doc, delivery.id, {}, createFields(delivery)),
    );
    this.logger.info(
      { outboxId: delivery.id, kind: delivery.kind },
      'outbox message queued by the relay',
    );
    this.kick();
    return delivery.id;
  }

  private scheduleReconcile(ids: string[]): void {
    if (ids.length === 0 || this.closed) return;
    this.reconciling = this.reconciling
      .then(() => this.reconcile(ids))
      .catch((error: unknown) =>
        this.logger.error({ err: error }, 'reading outbox changes failed'),
      );
  }

  /** Brings the delivery table and the doc's outbox states together. */
  private async reconcile(ids: string[]): Promise<void> {
    let queuedAny = false;
    for (const id of ids) {
      const record = await this.readFirmRecord(id);
      if (!record) continue;
      const delivery = this.options.deliveries.get(id);
      const status = record['status'];
      if (status === 'queued') {
        queuedAny = (await this.takeQueued(id, record, delivery)) || queuedAny;
      } else if (status === 'cancelled' && delivery?.state === 'ready') {
        if (this.options.deliveries.cancel(id)) {
          this.logger.info({ outboxId: id }, 'outbox message cancelled');
        }
      } else if (status === 'sending' && delivery) {
        await this.mirrorFinished(delivery);
      }
    }
    if (queuedAny) this.kick();
  }

  /** Handles a doc record in `queued`; returns true when work was added. */
  private async takeQueued(
    id: string,
    record: Record<string, unknown>,
    delivery: Delivery | undefined,
  ): Promise<boolean> {
    const deliveries = this.options.deliveries;
    if (!delivery) {
      const snapshot = await snapshotOf(this.options.docs, id, record);
      if (!snapshot) {
        this.logger.warn(
          { outboxId: id },
          'queued outbox record is incomplete',
        );
        return false;
      }
      return deliveries.enqueue(snapshot);
    }
    if (delivery.state === 'failed') {
      // The relay writes `failed` after `sending`, never back to `queued`,
      // so `queued` over a failed delivery is a staff re-queue.
      this.logger.info({ outboxId: id }, 'failed outbox message re-queued');
      return deliveries.requeue(id);
    }
    // Already sent: the doc fell behind (or a client wrote `queued` over
    // `sent`). Send nothing, and show the recorded send again.
    await this.mirrorFinished(delivery);
    return false;
  }

  /** Writes a finished delivery's state into the doc when it differs. */
  private async mirrorFinished(delivery: Delivery): Promise<void> {
    if (delivery.state === 'sent') {
      await this.writeRecord(delivery, {
        status: 'sent',
        sentAt: delivery.sentAt,
        messageId: delivery.messageId,
        attempts: delivery.attempts,
        lastError: undefined,
        nextAttemptAt: undefined,
      });
    } else if (delivery.state === 'failed') {
      await this.writeRecord(delivery, {
        status: 'failed',
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        nextAttemptAt: undefined,
      });
    }
  }

  private async drainLoop(): Promise<void> {
    do {
      this.drainAgain = false;
      let claimed: Delivery[];
      try {
        claimed = this.options.deliveries.claimDue(
          this.owner,
          CLAIM_BATCH,
          this.options.leaseMs ?? DEFAULT_LEASE_MS,
        );
      } catch (error) {
        this.logger.error({ err: error }, 'claiming outbox messages failed');
        return;
      }
      for (const delivery of claimed) {
        await this.deliverSafely(delivery);
      }
      if (claimed.length === CLAIM_BATCH) this.drainAgain = true;
    } while (this.drainAgain && !this.closed);
  }

  private async deliverSafely(delivery: Delivery): Promise<void> {
    try {
      await this.deliver(delivery);
    } catch (error) {
      // Only recording a result can land here. The claim lapses and
      // another pass retries the message.
      this.logger.error(
        { err: error, outboxId: delivery.id },
        'recording an outbox result failed',
      );
    }
  }

  /** Makes one attempt at one claimed message and records its outcome. */
  private async deliver(delivery: Delivery): Promise<void> {
    const attempt = delivery.attempts + 1;
    const log = this.logger.child({
      outboxId: delivery.id,
      kind: delivery.kind,
      attempt,
    });
    const current = await this.readFirmRecord(delivery.id);
    if (current?.['status'] === 'cancelled') {
      this.options.deliveries.cancelClaimed(this.owner, delivery.id);
      log.info('outbox message was cancelled before its attempt');
      return;
    }
    await this.writeRecord(delivery, { status: 'sending' });
    log.info('sending outbox message');

    let messageId: string;
    try {
      const message = await this.compose(delivery);
      messageId = (await this.options.mailer.send(message)).messageId;
    } catch (error) {
      await this.recordFailure(delivery, attempt, error, log);
      return;
    }
    const sentAt = new Date().toISOString();
    if (
      !this.options.deliveries.markSent(
        this.owner,
        delivery.id,
        sentAt,
        messageId,
      )
    ) {
      log.warn('outbox claim lapsed during the send; state left to its owner');
      return;
    }
    log.info({ messageId }, 'outbox message sent');
    await this.writeRecord(delivery, {
      status: 'sent',
      sentAt,
      messageId,
      attempts: attempt,
      lastError: undefined,
      nextAttemptAt: undefined,
    });
  }

  private async recordFailure(
    delivery: Delivery,
    attempt: number,
    error: unknown,
    log: Logger,
  ): Promise<void> {
    const reason = describeError(error);
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const permanent =
      error instanceof AccountError || classifySendError(error) === 'permanent';
    const deliveries = this.options.deliveries;
    if (permanent || attempt >= maxAttempts) {
      const why = permanent
        ? reason
        : `${reason} (gave up after ${attempt} attempts)`;
      deliveries.markFailed(this.owner, delivery.id, attempt, why);
      log.warn({ err: error, permanent }, 'outbox message failed');
      await this.writeRecord(delivery, {
        status: 'failed',
        attempts: attempt,
        lastError: why,
        nextAttemptAt: undefined,
      });
      return;
    }
    const delay = backoffDelay(attempt, this.options.retry);
    const nextAttemptAt = Date.now() + delay;
    deliveries.markRetry(
      this.owner,
      delivery.id,
      attempt,
      reason,
      nextAttemptAt,
    );
    log.warn(
      { err: error, retryInMs: delay },
      'outbox send failed; will retry',
    );
    await this.writeRecord(delivery, {
      status: 'queued',
      attempts: attempt,
      lastError: reason,
      nextAttemptAt: new Date(nextAttemptAt).toISOString(),
    });
  }

  /** Renders one message; invites and resets get their secret here. */
  private async compose(delivery: Delivery): Promise<OutgoingMessage> {
    const to = checkRecipient(delivery.recipient);
    const input = await this.messageInput(delivery, to);
    const rendered = renderMessage(input);
    return { to, ...rendered, messageId: this.messageIdOf(delivery.id) };
  }

  private async messageInput(
    delivery: Delivery,
    to: string,
  ): Promise<MessageInput> {
    const { settings } = this.options;
    const { details } = delivery;
    switch (delivery.kind) {
      case 'portal-invite': {
        if (delivery.contactId === undefined) {
          throw new InvalidMessageError(
            'portal-invite has no contactId; queue it from Sync Contact.',
          );
        }
        const invite = await this.options.clientAccounts.issueInvite(
          delivery.contactId,
          to,
        );
        return {
          kind: 'portal-invite',
          firmName: settings.firmName,
          portalUrl: settings.portalUrl,
          loginEmail: to,
          temporaryPassword: invite.temporaryPassword,
          validForMinutes: settings.inviteValidMinutes,
          ...optionalName(details.recipientName),
        };
      }
      case 'file-notice':
        return {
          kind: 'file-notice',
          firmName: settings.firmName,
          portalUrl: settings.portalUrl,
          fileNames: details.fileNames ?? [],
          ...optionalName(details.recipientName),
        };
      case 'staff-notice':
        return {
          kind: 'staff-notice',
          firmName: settings.firmName,
          clientName: details.clientName ?? 'A client',
          fileName: details.fileName ?? 'a file',
        };
      case 'password-reset': {
        const account = await this.options.clientAccounts.findClient(to);
        if (!account) {
          throw new InvalidMessageError(
            `No client account uses ${describeValue(to)} any more.`,
          );
        }
        const token = this.options.clientAccounts.createResetToken(account.id);
        return {
          kind: 'password-reset',
          firmName: settings.firmName,
          resetUrl: resetUrlOf(this.options.publicUrl, token),
          validForMinutes: settings.resetValidMinutes,
        };
      }
    }
  }

  /** Builds `<outbox-id@public-host>`, the same for every attempt. */
  private messageIdOf(outboxId: string): string {
    const host = new URL(this.options.publicUrl).hostname || 'portico';
    return `<${outboxId}@${host.replace(/^\[|\]$/g, '')}>`;
  }

  private async readFirmRecord(id: string) {
    const { docs } = this.options;
    const firm = await docs.acquire(FIRM_DOC);
    try {
      return readRecord(firm.doc, id);
    } finally {
      docs.release(FIRM_DOC);
    }
  }

  /**
   * Writes fields of an outbox record as the relay. When this process's
   * copy of the firm doc lacks the record (another relay process took the
   * staff write), it first catches up from storage.
   */
  private async writeRecord(
    delivery: Delivery,
    fields: OutboxFields,
  ): Promise<void> {
    const { docs } = this.options;
    const firm = await docs.acquire(FIRM_DOC);
    try {
      if (!isRecordMap(firm.doc, delivery.id)) await this.catchUp(firm);
    } finally {
      docs.release(FIRM_DOC);
    }
    const create = relayMade(delivery) ? createFields(delivery) : undefined;
    await docs.writeAsRelay(FIRM_DOC, (doc) =>
      updateOutboxRecord(doc, delivery.id, fields, create),
    );
  }

  private async catchUp(firm: RelayDoc): Promise<void> {
    const rows = await this.options.storage.loadUpdates(FIRM_DOC);
    if (rows.length === 0) return;
    const merged = Y.mergeUpdates(rows.map((row) => row.update));
    Y.applyUpdate(firm.doc, merged, ORIGIN_STORAGE);
  }
}

function relayMade(delivery: Delivery): boolean {
  return delivery.kind === 'staff-notice' || delivery.kind === 'password-reset';
}

/** Fields of a record the relay creates for its own messages. */
function createFields(delivery: NewDelivery): Record<string, unknown> {
  return {
    kind: delivery.kind,
    to: delivery.recipient,
    ...(delivery.contactId ? { contactId: delivery.contactId } : {}),
    createdAt: new Date().toISOString(),
    status: 'queued',
    attempts: 0,
  };
}

function checkRecipient(recipient: string): string {
  const check = validateEmailAddress(recipient);
  if (!check.ok)
    throw new InvalidMessageError(`Recipient rejected: ${check.reason}`);
  return check.address;
}

function optionalName(name: DeliveryDetails['recipientName']) {
  return name === undefined ? {} : { recipientName: name };
}

/** Short reason for staff: SMTP reply or error message, one line. */
function describeError(error: unknown): string {
  const response = (error as { response?: unknown }).response;
  const text =
    typeof response === 'string'
      ? response
      : error instanceof Error
        ? error.message
        : String(error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
