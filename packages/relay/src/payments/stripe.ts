/**
 * Payment provider on Stripe Checkout, through the official `stripe`
 * package: one hosted checkout session per payment, and signed webhook
 * events that report the result.
 */
import Stripe from 'stripe';
import { normalizeCurrency } from '@portico/engine/billing';
import {
  CheckoutError,
  WebhookPayloadError,
  WebhookSignatureError,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentEvent,
  type PaymentProvider,
} from './provider.js';
import { fromStripeAmount, toStripeAmount } from './stripe-amounts.js';

/** Origin of the Stripe API; tests point it at a local stand-in. */
export interface StripeApiBase {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export interface StripeProviderOptions {
  /** Secret API key (`sk_live_…` or `sk_test_…`). */
  secretKey: string;
  /** Signing secret of the webhook endpoint (`whsec_…`). */
  webhookSecret: string;
  /** Overrides api.stripe.com; meant for tests only. */
  apiBase?: StripeApiBase;
  /** Time limit for one API request in ms; the library default is 80 s. */
  timeoutMs?: number;
  /**
   * Age limit of a webhook signature in seconds, against replay of a
   * captured delivery. The library default is 300.
   */
  webhookToleranceSeconds?: number;
}

// Retries are safe because every session request carries an idempotency
// key, so Stripe returns the first session instead of creating another.
const MAX_NETWORK_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 20_000;

/** Creates the Stripe Checkout provider. */
export function createStripeProvider(
  options: StripeProviderOptions,
): PaymentProvider {
  const stripe = new Stripe(options.secretKey, clientConfig(options));

  return {
    name: 'stripe',
    createCheckout: (request) => createCheckout(stripe, request),
    parseWebhook: (rawBody, signatureHeader) =>
      parseWebhook(stripe, options, rawBody, signatureHeader),
  };
}

function clientConfig(options: StripeProviderOptions): Stripe.StripeConfig {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: MAX_NETWORK_RETRIES,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // Request latency telemetry is not needed and would go to Stripe.
    telemetry: false,
    appInfo: { name: 'Portico' },
  };
  if (options.apiBase) {
    config.host = options.apiBase.host;
    config.port = options.apiBase.port;
    config.protocol = options.apiBase.protocol;
  }
  return config;
}

async function createCheckout(
  stripe: Stripe,
  request: CheckoutRequest,
): Promise<CheckoutSession> {
  const params = checkedSessionParams(request);
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(params, {
      idempotencyKey: request.idempotencyKey,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CheckoutError(
      `Stripe did not create a checkout for invoice ${request.invoiceId}: ` +
        reason,
      { cause: error },
    );
  }

  if (!session.url) {
    throw new CheckoutError(
      `Stripe checkout ${session.id} for invoice ${request.invoiceId} has ` +
        'no payment page URL; only hosted checkout sessions are supported.',
    );
  }
  return { redirectUrl: session.url, sessionId: session.id };
}

// Every invalid request becomes a CheckoutError, so the pay route has one
// error type to handle.
function checkedSessionParams(
  request: CheckoutRequest,
): Stripe.Checkout.SessionCreateParams {
  try {
    return sessionParams(request);
  } catch (error) {
    if (error instanceof CheckoutError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CheckoutError(
      `Invalid checkout for invoice ${request.invoiceId}: ${reason}`,
      { cause: error },
    );
  }
}

function sessionParams(
  request: CheckoutRequest,
): Stripe.Checkout.SessionCreateParams {
  const currency = normalizeCurrency(request.currency);
  const metadata = {
    invoiceId: request.invoiceId,
    contactId: request.contactId,
  };
  if (request.description.trim() === '') {
    throw new CheckoutError(
      `Checkout for invoice ${request.invoiceId} has an empty description; ` +
        'Stripe shows it as the item name, so pass the invoice number.',
    );
  }

  return {
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: currency.toLowerCase(),
          unit_amount: toStripeAmount(request.amount, currency),
          product_data: { name: request.description },
        },
      },
    ],
    client_reference_id: request.invoiceId,
    metadata,
    // Copied to the payment so the Stripe dashboard links it to the invoice.
    payment_intent_data: { metadata },
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  };
}

function parseWebhook(
  stripe: Stripe,
  options: StripeProviderOptions,
  rawBody: Buffer,
  signatureHeader: string,
): PaymentEvent {
  const event = verifyEvent(stripe, options, rawBody, signatureHeader);

  switch (event.type) {
    case 'checkout.session.completed':
      // A completed session with a delayed method (a bank debit, say) is
      // not paid yet; `async_payment_succeeded` follows when it is.
      if (event.data.object.payment_status !== 'paid') {
        return other(event, 'checkout completed but payment is pending');
      }
      return completedCheckout(event, event.data.object);
    case 'checkout.session.async_payment_succeeded':
      return completedCheckout(event, event.data.object);
    default:
      return other(event);
  }
}

function verifyEvent(
  stripe: Stripe,
  options: StripeProviderOptions,
  rawBody: Buffer,
  signatureHeader: string,
): Stripe.Event {
  try {
    return stripe.webhooks.constructEvent(
      rawBody,
      signatureHeader,
      options.webhookSecret,
      options.webhookToleranceSeconds,
    );
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new WebhookSignatureError(
        `Stripe webhook signature rejected: ${error.message}`,
        { cause: error },
      );
    }
    throw new WebhookPayloadError(
      'Stripe webhook has a valid signature but an unreadable body.',
      { cause: error },
    );
  }
}

function completedCheckout(
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
): PaymentEvent {
  const invoiceId = session.metadata?.invoiceId;
  const contactId = session.metadata?.contactId;
  // Sessions created by other software on the same Stripe account carry
  // no Portico metadata; they are acknowledged and left alone.
  if (!invoiceId || !contactId) {
    return other(event, `checkout ${session.id} has no Portico metadata`);
  }
  if (session.amount_total === null || !session.currency) {
    throw new WebhookPayloadError(
      `Stripe checkout ${session.id} in event ${event.id} has no amount ` +
        'or currency.',
    );
  }

  const currency = normalizeCurrency(session.currency);
  return {
    id: event.id,
    type: 'checkout.completed',
    sessionId: session.id,
    invoiceId,
    contactId,
    amount: fromStripeAmount(session.amount_total, currency),
    currency,
  };
}

function other(event: Stripe.Event, reason?: string): PaymentEvent {
  return reason === undefined
    ? { id: event.id, type: 'other', providerType: event.type }
    : { id: event.id, type: 'other', providerType: event.type, reason };
}
