import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckoutError,
  StripeAmountError,
  WebhookSignatureError,
  createStripeProvider,
  type CheckoutRequest,
  type PaymentProvider,
} from '../../src/payments/index.js';
import {
  signStripePayload,
  startStripeStandin,
  type StripeStandin,
} from '../../../../test/stripe-standin/index.js';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './webhook-receiver.js';

const SECRET_KEY = 'sk_test_portico_relay';
const WEBHOOK_SECRET = 'whsec_portico_relay_test';

let standin: StripeStandin;
let receiver: WebhookReceiver;
let provider: PaymentProvider;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  standin = await startStripeStandin({
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: receiver.url,
    secretKey: SECRET_KEY,
  });
  provider = createStripeProvider({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    apiBase: standin.apiBase,
  });
});

afterAll(async () => {
  await standin.close();
  await receiver.close();
});

function checkout(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    invoiceId: `inv-${randomUUID()}`,
    contactId: `contact-${randomUUID()}`,
    amount: 12_345,
    currency: 'EUR',
    description: 'Invoice 2025-0042',
    successUrl: 'http://127.0.0.1:9/portal/paid?session={CHECKOUT_SESSION_ID}',
    cancelUrl: 'http://127.0.0.1:9/portal/invoices',
    idempotencyKey: randomUUID(),
    ...overrides,
  };
}

/** Pays the session in the stand-in and returns the webhook as received. */
async function payAndReceive(sessionId: string): Promise<ReceivedWebhook> {
  const delivery = await standin.completeSession(sessionId);
  expect(delivery.status).toBe(200);
  return lastReceived();
}

function lastReceived(): ReceivedWebhook {
  const last = receiver.received.at(-1);
  if (!last) throw new Error('the receiver got no webhook');
  return last;
}

describe('stripe checkout', () => {
  it('creates a session with amount and metadata', async () => {
    const request = checkout();
    const result = await provider.createCheckout(request);

    const session = standin.getSession(result.sessionId);
    expect(session).toBeDefined();
    expect(session?.amount_total).toBe(12_345);
    expect(session?.currency).toBe('eur');
    expect(session?.mode).toBe('payment');
    expect(session?.description).toBe('Invoice 2025-0042');
    expect(session?.metadata).toEqual({
      invoiceId: request.invoiceId,
      contactId: request.contactId,
    });
    expect(session?.client_reference_id).toBe(request.invoiceId);
    expect(session?.success_url).toBe(request.successUrl);
    expect(session?.cancel_url).toBe(request.cancelUrl);
    expect(result.redirectUrl).toBe(
      `${standin.url}/checkout/${result.sessionId}`,
    );
  });

  it('reuses the session for a repeated key', async () => {
    const request = checkout();
    const before = standin.listSessions().length;
    const first = await provider.createCheckout(request);
    const second = await provider.createCheckout(request);
    expect(second.sessionId).toBe(first.sessionId);
    expect(standin.listSessions().length).toBe(before + 1);
  });

  it.each([
    ['JPY', 5_000, 5_000],
    ['KWD', 14_990, 14_990],
    ['ISK', 5_000, 500_000],
  ])('sends %s %i as %i', async (currency, amount, stripeAmount) => {
    const result = await provider.createCheckout(
      checkout({ currency, amount }),
    );
    const session = standin.getSession(result.sessionId);
    expect(session?.amount_total).toBe(stripeAmount);
    expect(session?.currency).toBe(currency.toLowerCase());
  });

  it('rejects a KWD amount ending in 5', async () => {
    const before = standin.listSessions().length;
    const attempt = provider.createCheckout(
      checkout({ currency: 'KWD', amount: 14_995 }),
    );
    await expect(attempt).rejects.toThrow(StripeAmountError);
    await expect(attempt).rejects.toThrow('14995');
    expect(standin.listSessions().length).toBe(before);
  });

  it.each([
    [{ amount: 0 }, '0'],
    [{ amount: 10.5 }, '10.5'],
    [{ currency: 'XYZ' }, 'XYZ'],
    [{ description: ' ' }, 'description'],
  ])('rejects invalid request %j', async (overrides, named) => {
    const attempt = provider.createCheckout(checkout(overrides));
    await expect(attempt).rejects.toThrow(CheckoutError);
    await expect(attempt).rejects.toThrow(named);
  });

  it('reports a rejected API key', async () => {
    const wrongKey = createStripeProvider({
      secretKey: 'sk_test_wrong',
      webhookSecret: WEBHOOK_SECRET,
      apiBase: standin.apiBase,
    });
    const attempt = wrongKey.createCheckout(checkout());
    await expect(attempt).rejects.toThrow(CheckoutError);
    await expect(attempt).rejects.toThrow('Invalid API Key');
  });
});

describe('stripe webhooks', () => {
  it('parses a completed checkout', async () => {
    const request = checkout();
    const { sessionId } = await provider.createCheckout(request);
    const webhook = await payAndReceive(sessionId);

    const event = provider.parseWebhook(webhook.rawBody, webhook.signature);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/) as unknown,
      type: 'checkout.completed',
      sessionId,
      invoiceId: request.invoiceId,
      contactId: request.contactId,
      amount: 12_345,
      currency: 'EUR',
    });
  });

  it('converts ISK back to whole units', async () => {
    const request = checkout({ currency: 'ISK', amount: 7_000 });
    const { sessionId } = await provider.createCheckout(request);
    const webhook = await payAndReceive(sessionId);

    const event = provider.parseWebhook(webhook.rawBody, webhook.signature);
    expect(event.type).toBe('checkout.completed');
    expect(event).toMatchObject({ amount: 7_000, currency: 'ISK' });
  });

  it('keeps the event id on a resend', async () => {
    const { sessionId } = await provider.createCheckout(checkout());
    const first = await payAndReceive(sessionId);
    const firstEvent = provider.parseWebhook(first.rawBody, first.signature);

    await standin.resendEvent(firstEvent.id);
    const again = lastReceived();
    const againEvent = provider.parseWebhook(again.rawBody, again.signature);
    expect(againEvent).toEqual(firstEvent);
  });

  it('rejects bad signatures', async () => {
    const { sessionId } = await provider.createCheckout(checkout());
    const webhook = await payAndReceive(sessionId);
    const body = webhook.rawBody.toString('utf8');
    const tampered = Buffer.from(body.replace('12345', '1'), 'utf8');
    expect(tampered.equals(webhook.rawBody)).toBe(false);

    const stale = signStripePayload(
      body,
      WEBHOOK_SECRET,
      Math.floor(Date.now() / 1000) - 3600,
    );
    const cases: [string, Buffer, string][] = [
      ['wrong secret', webhook.rawBody, signStripePayload(body, 'whsec_other')],
      ['tampered body', tampered, webhook.signature],
      ['missing header', webhook.rawBody, ''],
      ['garbage header', webhook.rawBody, 'not-a-signature'],
      ['stale timestamp', webhook.rawBody, stale],
    ];
    for (const [name, rawBody, signature] of cases) {
      expect(() => provider.parseWebhook(rawBody, signature), name).toThrow(
        WebhookSignatureError,
      );
    }
  });

  it('accepts our own signature', () => {
    // Guards the bad-signature cases: a correctly signed body does parse.
    const body = JSON.stringify({
      id: 'evt_manual',
      object: 'event',
      type: 'customer.created',
      data: { object: {} },
    });
    const header = signStripePayload(body, WEBHOOK_SECRET);
    const event = provider.parseWebhook(Buffer.from(body), header);
    expect(event).toEqual({
      id: 'evt_manual',
      type: 'other',
      providerType: 'customer.created',
    });
  });

  it('treats an unpaid completion as pending', async () => {
    const request = checkout();
    const { sessionId } = await provider.createCheckout(request);
    const session = standin.getSession(sessionId);
    await standin.sendEvent('checkout.session.completed', {
      ...session,
      status: 'complete',
      payment_status: 'unpaid',
    });
    const webhook = lastReceived();

    const event = provider.parseWebhook(webhook.rawBody, webhook.signature);
    expect(event.type).toBe('other');
    expect(event).toMatchObject({
      providerType: 'checkout.session.completed',
      reason: expect.stringContaining('pending') as unknown,
    });
  });

  it('parses a delayed payment success', async () => {
    const request = checkout({ amount: 990 });
    const { sessionId } = await provider.createCheckout(request);
    const session = standin.getSession(sessionId);
    await standin.sendEvent('checkout.session.async_payment_succeeded', {
      ...session,
      status: 'complete',
      payment_status: 'paid',
    });
    const webhook = lastReceived();

    const event = provider.parseWebhook(webhook.rawBody, webhook.signature);
    expect(event).toMatchObject({
      type: 'checkout.completed',
      sessionId,
      invoiceId: request.invoiceId,
      amount: 990,
    });
  });

  it('ignores a session without metadata', async () => {
    const { sessionId } = await provider.createCheckout(checkout());
    const session = standin.getSession(sessionId);
    await standin.sendEvent('checkout.session.completed', {
      ...session,
      payment_status: 'paid',
      metadata: {},
    });
    const webhook = lastReceived();

    const event = provider.parseWebhook(webhook.rawBody, webhook.signature);
    expect(event.type).toBe('other');
    expect(event).toMatchObject({
      reason: expect.stringContaining('metadata') as unknown,
    });
  });
});
