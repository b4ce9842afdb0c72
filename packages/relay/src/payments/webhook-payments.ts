/**
 * Turns a verified "checkout completed" event into a `Payment` record in
 * the firm doc and in the client's portal doc, at most once per checkout.
 *
 * Redeliveries are caught in two ways. The `payment_events` table ignores an
 * event id seen before. The payment id is derived from the provider's
 * checkout id, and a record with that id is never written again. So an
 * event that was recorded in the docs, but not in the table because the
 * relay stopped in between, still yields one payment when it comes again.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import { FIRM_DOC, portalDocName } from '@portico/engine/protocol';
import type { Storage } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';
import { readInvoiceState } from './portal-records.js';
import type { CheckoutCompletedEvent } from './provider.js';

export interface WebhookPaymentsOptions {
  storage: Storage;
  docs: DocManager;
  logger: Logger;
  /** Provider name, such as "stripe"; scopes event ids and payment ids. */
  provider: string;
}

/** Result of handling one completed-checkout event. */
export type WebhookOutcome = 'recorded' | 'duplicate' | 'rejected';

/** Records payments from completed checkouts; see the module comment. */
export class WebhookPayments {
  /**
   * Events run one at a time, so two deliveries never race the checks.
   * NOTE: this applies within one relay process only. Several processes on
   * shared storage would need a claim on the event row first.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: WebhookPaymentsOptions) {}

  handle(event: CheckoutCompletedEvent): Promise<WebhookOutcome> {
    const run = this.queue.then(() => this.process(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async process(
    event: CheckoutCompletedEvent,
  ): Promise<WebhookOutcome> {
    const { storage, provider } = this.options;
    const log = this.options.logger.child({
      eventId: event.id,
      sessionId: event.sessionId,
      invoiceId: event.invoiceId,
      contactId: event.contactId,
    });
    if (await storage.hasPaymentEvent(provider, event.id)) {
      log.info('payment webhook event already handled; ignored');
      return 'duplicate';
    }

    const problem = await this.checkAgainstInvoice(event);
    if (problem !== undefined) {
      log.error(
        { amount: event.amount, currency: event.currency, problem },
        'online payment not recorded; settle it by hand in the staff app',
      );
      await this.remember(event, 'rejected');
      return 'rejected';
    }

    const paymentId = await this.writePayment(event);
    await this.remember(event, 'recorded');
    log.info(
      { paymentId, amount: event.amount, currency: event.currency },
      'online payment recorded',
    );
    return 'recorded';
  }

  /**
   * Returns why the payment cannot be booked against its invoice, or
   * undefined when it can. An amount above the open balance is booked,
   * because the money was received; the balance then shows a credit.
   */
  private async checkAgainstInvoice(
    event: CheckoutCompletedEvent,
  ): Promise<string | undefined> {
    const docName = portalDocName(event.contactId);
    const doc = await this.options.docs.acquire(docName);
    try {
      const state = readInvoiceState(doc.doc, event.invoiceId);
      if (state === undefined) {
        return `invoice ${event.invoiceId} is not on the portal of ${event.contactId}`;
      }
      const { invoice, balance } = state;
      if (invoice.currency !== event.currency) {
        return `paid in ${event.currency}, but invoice ${invoice.number} is in ${invoice.currency}`;
      }
      if (!Number.isSafeInteger(event.amount) || event.amount <= 0) {
        return `amount ${event.amount} is not a positive integer in minor units`;
      }
      if (event.amount > balance.balance) {
        this.options.logger.warn(
          { eventId: event.id, amount: event.amount, balance: balance.balance },
          'online payment exceeds the open balance; recording a credit',
        );
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      this.options.docs.release(docName);
    }
  }

  /** Writes the payment into both docs and returns its id. */
  private async writePayment(event: CheckoutCompletedEvent): Promise<string> {
    const id = paymentIdFor(this.options.provider, event.sessionId);
    const now = new Date().toISOString();
    const fields = {
      invoiceId: event.invoiceId,
      amount: event.amount,
      currency: event.currency,
      receivedAt: now,
      method: `online (${this.options.provider})`,
      reference: event.sessionId,
      // The client made this payment on the portal, so it is published.
      publishedAt: now,
    };
    const { docs } = this.options;
    await docs.writeAsRelay(portalDocName(event.contactId), (doc) =>
      addRecordOnce(doc, id, fields),
    );
    await docs.writeAsRelay(FIRM_DOC, (doc) =>
      addRecordOnce(doc, id, { ...fields, contactId: event.contactId }),
    );
    return id;
  }

  private async remember(
    event: CheckoutCompletedEvent,
    outcome: 'recorded' | 'rejected',
  ): Promise<void> {
    await this.options.storage.addPaymentEvent({
      id: event.id,
      provider: this.options.provider,
      outcome,
      processedAt: new Date().toISOString(),
    });
  }
}

/**
 * Returns a UUID-formatted id derived from the checkout, so every event
 * about one checkout names the same payment. It uses SHA-256 and carries
 * version 8, the RFC 9562 version for custom UUIDs.
 */
export function paymentIdFor(provider: string, sessionId: string): string {
  const hex = createHash('sha256')
    .update(`${provider}:${sessionId}`)
    .digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

function addRecordOnce(
  doc: Y.Doc,
  id: string,
  fields: Record<string, unknown>,
): void {
  const payments = doc.getMap<unknown>('payments');
  if (payments.has(id)) return;
  const record = new Y.Map<unknown>();
  for (const [name, value] of Object.entries(fields)) record.set(name, value);
  payments.set(id, record);
}
