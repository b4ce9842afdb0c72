import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('payment configuration', () => {
  it('leaves payments off by default', () => {
    const config = loadConfig({});
    expect(config.payments.stripeSecretKey).toBeUndefined();
    expect(config.payments.stripeWebhookSecret).toBeUndefined();
  });

  it('reads the Stripe variables', () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      STRIPE_API_BASE: 'http://127.0.0.1:4010',
    });
    expect(config.payments).toEqual({
      stripeSecretKey: 'sk_test_1',
      stripeWebhookSecret: 'whsec_1',
      stripeApiBase: 'http://127.0.0.1:4010',
    });
  });

  it('rejects a key without a webhook secret', () => {
    const load = () => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('STRIPE_WEBHOOK_SECRET is missing');
  });

  it('rejects an API base with a path', () => {
    const load = () =>
      loadConfig({
        STRIPE_SECRET_KEY: 'sk_test_1',
        STRIPE_WEBHOOK_SECRET: 'whsec_1',
        STRIPE_API_BASE: 'http://127.0.0.1:4010/v1',
      });
    expect(load).toThrow('STRIPE_API_BASE');
  });
});
