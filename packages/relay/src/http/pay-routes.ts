/**
 * Online payment routes:
 *
 * - `POST /api/portal/invoices/<invoiceId>/pay` (client): starts a
 *   checkout for the invoice's open balance and returns `{ redirectUrl }`.
 * - `POST /api/payments/webhook` (payment provider): verifies the
 *   signature over the raw body and records completed payments.
 */
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { portalDocName } from '@portico/engine/protocol';
import type { Accounts } from '../accounts/accounts.js';
import { authenticateRequest } from '../accounts/credentials.js';
import {
  CheckoutError,
  PaymentsNotConfiguredError,
  WebhookPayloadError,
  WebhookSignatureError,
  type PaymentEvent,
  type PaymentProvider,
} from '../payments/provider.js';
import {
  InvalidPortalRecordError,
  paymentsAllowed,
  readInvoiceState,
  type PortalInvoiceState,
} from '../payments/portal-records.js';
import { WebhookPayments } from '../payments/webhook-payments.js';
import type { Storage } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';
import { HttpError, sendError } from './errors.js';

export const WEBHOOK_PATH = '/api/payments/webhook';

/** Header with the webhook signature. Stripe is the one provider so far. */
const SIGNATURE_HEADER = 'stripe-signature';

/** Webhook bodies are small JSON events; Stripe's are a few kilobytes. */
const WEBHOOK_BODY_LIMIT = '512kb';

export interface PayRoutesOptions {
  accounts: Accounts;
  docs: DocManager;
  storage: Storage;
  provider: PaymentProvider;
  logger: Logger;
  publicOrigin: string;
  /** PUBLIC_URL, the base of the return pages after a checkout. */
  publicUrl: string;
}

/** The two routers; the webhook must be mounted before any body parser. */
export interface PayRoutes {
  webhook: Router;
  api: Router;
}

export function payRoutes(options: PayRoutesOptions): PayRoutes {
  const logger = options.logger.child({ component: 'payments' });
  const payments = new WebhookPayments({
    storage: options.storage,
    docs: options.docs,
    logger,
    provider: options.provider.name,
  });

  const webhook = Router();
  webhook.post(
    WEBHOOK_PATH,
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    (req, res) => receiveWebhook(options, payments, logger, req, res),
  );

  const api = Router();
  api.post('/api/portal/invoices/:invoiceId/pay', (req, res) =>
    pay({ ...options, logger }, req, res),
  );
  return { webhook, api };
}

// Pay ----------------------------------------------------------------------

async function pay(
  options: PayRoutesOptions,
  req: Request<{ invoiceId: string }>,
  res: Response,
): Promise<void> {
  const contactId = await requireClient(options, req);
  const { invoiceId } = req.params;
  const state = await readPortal(options, contactId, invoiceId);
  checkPayable(state);

  const { invoice, balance } = state;
  const returnUrl = (status: 'success' | 'cancel') =>
    `${options.publicUrl}/payments/return?invoice=` +
    `${encodeURIComponent(invoiceId)}&status=${status}`;
  try {
    const checkout = await options.provider.createCheckout({
      invoiceId,
      contactId,
      amount: balance.balance,
      currency: invoice.currency,
      description: `Invoice ${invoice.number}`,
      successUrl: returnUrl('success'),
      cancelUrl: returnUrl('cancel'),
      // The same open balance gives the same checkout, so a double click
      // or a retried request does not start a second payment.
      idempotencyKey: `pay-${invoiceId}-${balance.currency}-${balance.balance}`,
    });
    options.logger.info(
      {
        contactId,
        invoiceId,
        sessionId: checkout.sessionId,
        amount: balance.balance,
        currency: balance.currency,
      },
      'checkout started',
    );
    res.json({ redirectUrl: checkout.redirectUrl });
  } catch (error) {
    if (error instanceof PaymentsNotConfiguredError) {
      // The log gets the provider's message, which names the setting the
      // operator must change. The client gets a message it can act on.
      options.logger.warn(
        { contactId, invoiceId, reason: error.message },
        'pay request rejected: no payment provider',
      );
      throw new HttpError(
        403,
        'payments_not_configured',
        'Online payment is not available on this portal; contact the firm ' +
          'to pay another way.',
      );
    }
    if (!(error instanceof CheckoutError)) throw error;
    options.logger.error(
      { err: error, contactId, invoiceId },
      'starting a checkout failed',
    );
    throw new HttpError(
      502,
      'checkout_failed',
      'The payment service did not start the payment; try again later.',
    );
  }
}

/** Returns the contact id of a client session, or raises 401 or 403. */
async function requireClient(
  options: PayRoutesOptions,
  req: Request,
): Promise<string> {
  const auth = await authenticateRequest(
    req,
    options.accounts,
    options.publicOrigin,
  );
  if (!auth.ok) throw new HttpError(auth.status, auth.code, auth.message);

  const { account } = auth;
  if (account.role !== 'client' || account.contactId === null) {
    throw new HttpError(
      403,
      'forbidden',
      'Only client accounts pay invoices; log in to the portal as the client.',
    );
  }
  if (account.mustChangePassword) {
    throw new HttpError(
      403,
      'password_change_required',
      'Choose a new password before doing anything else.',
    );
  }
  return account.contactId;
}

/**
 * Reads the invoice from the client's own portal doc. Another client's
 * invoice is not in it, so it gets the same 404 as an unknown id.
 */
async function readPortal(
  options: PayRoutesOptions,
  contactId: string,
  invoiceId: string,
): Promise<PortalInvoiceState> {
  const docName = portalDocName(contactId);
  const doc = await options.docs.acquire(docName);
  try {
    if (!paymentsAllowed(doc.doc)) {
      throw new HttpError(
        403,
        'payments_disabled',
        'Online payment is turned off for your account; contact the firm ' +
          'to pay another way.',
      );
    }
    const state = readInvoiceState(doc.doc, invoiceId);
    if (state === undefined) {
      throw new HttpError(
        404,
        'invoice_not_found',
        `No invoice ${invoiceId} on your portal.`,
      );
    }
    return state;
  } catch (error) {
    if (!(error instanceof InvalidPortalRecordError)) throw error;
    options.logger.error(
      { err: error, contactId, invoiceId },
      'invoice on the portal is invalid',
    );
    throw new HttpError(
      409,
      'invalid_invoice',
      'This invoice cannot be paid online; contact the firm.',
    );
  } finally {
    options.docs.release(docName);
  }
}

function checkPayable({ invoice, status, balance }: PortalInvoiceState) {
  if (status === 'void' || status === 'draft') {
    throw new HttpError(
      409,
      'invoice_not_payable',
      `Invoice ${invoice.number} is ${status} and cannot be paid.`,
    );
  }
  if (balance.balance <= 0) {
    throw new HttpError(
      409,
      'nothing_to_pay',
      `Invoice ${invoice.number} has no open balance.`,
    );
  }
}

// Webhook ------------------------------------------------------------------

async function receiveWebhook(
  options: PayRoutesOptions,
  payments: WebhookPayments,
  logger: Logger,
  req: Request,
  res: Response,
): Promise<void> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const signature = req.get(SIGNATURE_HEADER) ?? '';
  let event: PaymentEvent;
  try {
    event = options.provider.parseWebhook(body, signature);
  } catch (error) {
    rejectWebhook(logger, req, res, error);
    return;
  }

  if (event.type === 'other') {
    logger.debug(
      { eventId: event.id, type: event.providerType, reason: event.reason },
      'payment webhook event needs no action',
    );
    res.json({ received: true });
    return;
  }
  const outcome = await payments.handle(event);
  res.json({ received: true, outcome });
}

function rejectWebhook(
  logger: Logger,
  req: Request,
  res: Response,
  error: unknown,
): void {
  const ip = req.ip ?? req.socket.remoteAddress;
  if (error instanceof WebhookSignatureError) {
    logger.warn({ ip, reason: error.message }, 'payment webhook rejected');
    sendError(res, 400, 'invalid_signature', 'Webhook signature rejected.');
    return;
  }
  if (error instanceof WebhookPayloadError) {
    logger.error({ ip, err: error }, 'payment webhook body unusable');
    sendError(res, 400, 'invalid_payload', error.message);
    return;
  }
  if (error instanceof PaymentsNotConfiguredError) {
    logger.warn({ ip }, 'payment webhook received, but payments are off');
    sendError(res, 404, 'payments_not_configured', error.message);
    return;
  }
  throw error;
}
