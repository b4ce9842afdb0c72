import { describe, expect, it } from 'vitest';
import {
  PaymentSettingsError,
  PaymentsNotConfiguredError,
  createNoPaymentProvider,
  createPaymentProvider,
  fromStripeAmount,
  parseStripeApiBase,
  toStripeAmount,
} from '../../src/payments/index.js';

describe('payment settings', () => {
  it('uses no provider when unset', () => {
    expect(createPaymentProvider({}).name).toBe('none');
    const blank = { stripeSecretKey: ' ', stripeWebhookSecret: '' };
    expect(createPaymentProvider(blank).name).toBe('none');
  });

  it('uses stripe with both secrets', () => {
    const provider = createPaymentProvider({
      stripeSecretKey: 'sk_test_1',
      stripeWebhookSecret: 'whsec_1',
      stripeApiBase: 'http://127.0.0.1:4010',
    });
    expect(provider.name).toBe('stripe');
  });

  it.each([
    [{ stripeSecretKey: 'sk_test_1' }, 'STRIPE_WEBHOOK_SECRET'],
    [{ stripeWebhookSecret: 'whsec_1' }, 'STRIPE_SECRET_KEY'],
  ])('rejects half a configuration %j', (settings, missing) => {
    const run = (): unknown => createPaymentProvider(settings);
    expect(run).toThrow(PaymentSettingsError);
    expect(run).toThrow(`${missing} is missing`);
  });

  it.each([
    [
      'http://127.0.0.1:4010',
      { host: '127.0.0.1', port: 4010, protocol: 'http' },
    ],
    [
      'https://stripe.test',
      { host: 'stripe.test', port: 443, protocol: 'https' },
    ],
    ['http://[::1]:99', { host: '::1', port: 99, protocol: 'http' }],
  ])('parses api base %s', (value, expected) => {
    expect(parseStripeApiBase(value)).toEqual(expected);
  });

  it.each(['127.0.0.1:4010', 'ftp://127.0.0.1', 'http://127.0.0.1/v1'])(
    'rejects api base %s',
    (value) => {
      const run = (): unknown => parseStripeApiBase(value);
      expect(run).toThrow(PaymentSettingsError);
      expect(run).toThrow('STRIPE_API_BASE');
    },
  );
});

describe('no payment provider', () => {
  it('rejects every call', async () => {
    const provider = createNoPaymentProvider();
    const attempt = provider.createCheckout({
      invoiceId: 'inv-1',
      contactId: 'contact-1',
      amount: 100,
      currency: 'EUR',
      description: 'Invoice 1',
      successUrl: 'http://127.0.0.1/ok',
      cancelUrl: 'http://127.0.0.1/cancel',
      idempotencyKey: 'key-1',
    });
    await expect(attempt).rejects.toThrow(PaymentsNotConfiguredError);
    await expect(attempt).rejects.toThrow('not configured');
    expect(() => provider.parseWebhook(Buffer.from('{}'), 't=1,v1=00')).toThrow(
      PaymentsNotConfiguredError,
    );
  });
});

describe('stripe amounts', () => {
  it.each([
    [1234, 'EUR', 1234],
    [500, 'JPY', 500],
    [5, 'ISK', 500],
    [1230, 'kwd', 1230],
  ])('converts %i %s to %i', (amount, currency, stripeAmount) => {
    expect(toStripeAmount(amount, currency)).toBe(stripeAmount);
    expect(fromStripeAmount(stripeAmount, currency)).toBe(amount);
  });

  it('rejects a fractional ISK amount', () => {
    expect(() => fromStripeAmount(550, 'ISK')).toThrow('550');
  });
});
