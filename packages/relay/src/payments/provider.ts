/**
 * The contract between the relay's pay and webhook routes and an online
 * payment service. Amounts cross this boundary as integers in ISO 4217
 * minor units with an upper-case currency code; each provider converts to
 * its own conventions inside.
 */

/** Input for starting a hosted checkout for one invoice. */
export interface CheckoutRequest {
  invoiceId: string;
  contactId: string;
  /** Amount to collect, a positive integer in minor units. */
  amount: number;
  /** ISO 4217 code in upper case. */
  currency: string;
  /** Item name on the checkout page, such as the invoice number. */
  description: string;
  /** Page the provider redirects the payer to after a successful payment. */
  successUrl: string;
  /** Page the provider redirects the payer to on abandoning the checkout. */
  cancelUrl: string;
  /**
   * Key the provider uses to turn a retried request into the same
   * checkout, so a double click or a network retry never creates two.
   */
  idempotencyKey: string;
}

/** A started checkout. */
export interface CheckoutSession {
  /** Page on the provider's site where the payer pays. */
  redirectUrl: string;
  /** The provider's id for the checkout, repeated in its webhook events. */
  sessionId: string;
}

/** A checkout whose payment has been received. */
export interface CheckoutCompletedEvent {
  /** Provider's event id; the same event delivered twice has the same id. */
  id: string;
  type: 'checkout.completed';
  sessionId: string;
  invoiceId: string;
  contactId: string;
  /** Amount received, an integer in minor units. */
  amount: number;
  /** ISO 4217 code in upper case. */
  currency: string;
}

/** Event that needs no action; the relay acknowledges it with 200. */
export interface OtherPaymentEvent {
  id: string;
  type: 'other';
  /** The provider's own event type, for the log. */
  providerType: string;
  /** Reason a checkout event was not treated as a completed payment. */
  reason?: string;
}

export type PaymentEvent = CheckoutCompletedEvent | OtherPaymentEvent;

/** An online payment service as the relay uses it. */
export interface PaymentProvider {
  /** Short name for logs and errors, such as "stripe". */
  readonly name: string;

  /** Starts a hosted checkout; rejects with `CheckoutError` on failure. */
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;

  /**
   * Verifies a webhook delivery and normalizes it. `rawBody` must be the
   * bytes exactly as received, because the signature covers them. Throws
   * `WebhookSignatureError` when the signature is missing, wrong or stale.
   */
  parseWebhook(rawBody: Buffer, signatureHeader: string): PaymentEvent;
}

/**
 * Raised when a webhook's signature does not verify. The relay should
 * respond 400, log it, and trust nothing in the body.
 */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

/** Raised when a webhook has a valid signature but a body that is unusable. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

/** Raised when the provider could not start a checkout. */
export class CheckoutError extends Error {
  override readonly name: string = 'CheckoutError';
}

/** Raised by every call when no payment provider is configured. */
export class PaymentsNotConfiguredError extends Error {
  override readonly name = 'PaymentsNotConfiguredError';
}
