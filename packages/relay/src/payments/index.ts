/**
 * Online payment providers for the pay and webhook routes, and the factory
 * that picks one from the relay settings.
 */
import { createNoPaymentProvider } from './none.js';
import type { PaymentProvider } from './provider.js';
import { createStripeProvider, type StripeApiBase } from './stripe.js';

export * from './provider.js';
export { createNoPaymentProvider } from './none.js';
export {
  createStripeProvider,
  type StripeApiBase,
  type StripeProviderOptions,
} from './stripe.js';
export {
  StripeAmountError,
  fromStripeAmount,
  toStripeAmount,
} from './stripe-amounts.js';

/** Payment settings, one field per environment variable. */
export interface PaymentSettings {
  /** STRIPE_SECRET_KEY */
  stripeSecretKey?: string | undefined;
  /** STRIPE_WEBHOOK_SECRET */
  stripeWebhookSecret?: string | undefined;
  /** STRIPE_API_BASE, an http(s) origin; tests only. */
  stripeApiBase?: string | undefined;
}

/** Raised for payment settings that cannot work; names the variable. */
export class PaymentSettingsError extends Error {
  override readonly name = 'PaymentSettingsError';
}

/**
 * Picks the provider: Stripe when both Stripe secrets are set, none when
 * neither is. One without the other raises `PaymentSettingsError`, because
 * a relay that can start checkouts but not verify their results would take
 * money without recording it.
 */
export function createPaymentProvider(
  settings: PaymentSettings,
): PaymentProvider {
  const secretKey = settings.stripeSecretKey?.trim() || undefined;
  const webhookSecret = settings.stripeWebhookSecret?.trim() || undefined;
  if (!secretKey && !webhookSecret) return createNoPaymentProvider();

  if (!secretKey || !webhookSecret) {
    const missing = secretKey ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY';
    throw new PaymentSettingsError(
      `${missing} is missing: set both STRIPE_SECRET_KEY and ` +
        'STRIPE_WEBHOOK_SECRET to enable payments, or neither to disable them.',
    );
  }

  const apiBase = settings.stripeApiBase?.trim()
    ? parseStripeApiBase(settings.stripeApiBase.trim())
    : undefined;
  return createStripeProvider({ secretKey, webhookSecret, apiBase });
}

/**
 * Parses STRIPE_API_BASE, such as "http://127.0.0.1:4010", into the host,
 * port and protocol that the Stripe client takes.
 */
export function parseStripeApiBase(value: string): StripeApiBase {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw apiBaseError(value, 'it is not a URL');
  }

  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') {
    throw apiBaseError(value, 'the protocol must be http or https');
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    throw apiBaseError(value, 'give only the origin, with no path');
  }

  let port = protocol === 'https' ? 443 : 80;
  if (url.port) port = Number(url.port);
  // URL keeps IPv6 hosts in brackets, which the Stripe client does not want.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, protocol };
}

function apiBaseError(value: string, reason: string): PaymentSettingsError {
  return new PaymentSettingsError(
    `STRIPE_API_BASE ${JSON.stringify(value)} is invalid: ${reason}, ` +
      'such as "http://127.0.0.1:4010".',
  );
}
