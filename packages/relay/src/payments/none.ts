import {
  PaymentsNotConfiguredError,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentEvent,
  type PaymentProvider,
} from './provider.js';

const MESSAGE =
  'Online payments are not configured on this relay: set ' +
  'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET and restart it.';

/**
 * The provider used when no payment service is configured. Every call
 * raises `PaymentsNotConfiguredError`, so the pay route can respond with a
 * clear message instead of failing somewhere deeper.
 */
export function createNoPaymentProvider(): PaymentProvider {
  return {
    name: 'none',
    createCheckout(_request: CheckoutRequest): Promise<CheckoutSession> {
      return Promise.reject(new PaymentsNotConfiguredError(MESSAGE));
    },
    parseWebhook(_rawBody: Buffer, _signatureHeader: string): PaymentEvent {
      throw new PaymentsNotConfiguredError(MESSAGE);
    },
  };
}
