import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Relay } from '../../src/relay.js';
import { paymentIdFor } from '../../src/payments/webhook-payments.js';
import {
  startStripeStandin,
  type StripeStandin,
} from '../../../../test/stripe-standin/index.js';
import {
  clientToken,
  staffToken,
  startTestRelay,
  type RelayFixture,
} from '../sync/relay-fixture.js';

const SECRET_KEY = 'sk_test_portico_pay';
const WEBHOOK_SECRET = 'whsec_portico_pay';
const CONTACT_A = 'contact-a';
const CONTACT_B = 'contact-b';

let standin: StripeStandin;
let fixture: RelayFixture;
let logLines: string[];
let tokenA: string;

/** Creates a pino logger that appends its JSON lines to `logLines`. */
function capturingLogger() {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').trim().split('\n'));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function startRelay(env: Record<string, string>) {
  fixture = await startTestRelay(env, { logger: capturingLogger() });
  tokenA = await clientToken(fixture.relay, 'a@client.example', CONTACT_A);
}

const PUBLIC_URL = 'https://portal.example.test';
const STRIPE_ENV = () => ({
  PUBLIC_URL,
  STRIPE_SECRET_KEY: SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_BASE: standin.url,
});

beforeEach(async () => {
  logLines = [];
  standin = await startStripeStandin({
    webhookSecret: WEBHOOK_SECRET,
    secretKey: SECRET_KEY,
  });
});

afterEach(async () => {
  await fixture.stop();
  await standin.close();
});

function setRecord(doc: Y.Doc, map: string, key: string, fields: object) {
  const record = new Y.Map<unknown>();
  for (const [name, value] of Object.entries(fields)) record.set(name, value);
  doc.getMap(map).set(key, record);
}

const invoiceFields = {
  number: 'INV-100',
  issueDate: '2026-03-01',
  dueDate: '2099-12-31',
  currency: 'EUR',
  lines: [{ description: 'Audit', quantity: 1, unitAmount: 12000 }],
  total: 12000,
  status: 'issued',
  publishedAt: '2026-03-01T10:00:00.000Z',
};

/** Publishes an invoice to a contact's portal as a staff engine would. */
async function publish(
  relay: Relay,
  contactId: string,
  invoiceId: string,
  options: { allowPayments: boolean; fields?: object },
) {
  const fields = { ...invoiceFields, ...options.fields };
  await relay.docs.writeAsRelay(`portal/${contactId}`, (doc) => {
    setRecord(doc, 'invoices', invoiceId, fields);
    setRecord(doc, 'settings', 'settings', {
      allowPayments: options.allowPayments,
      firmName: 'Example Firm',
    });
  });
  await relay.docs.writeAsRelay('firm', (doc) =>
    setRecord(doc, 'invoices', invoiceId, { ...fields, contactId }),
  );
}

function pay(invoiceId: string, token = tokenA) {
  return fetch(
    `${fixture.relay.url}/api/portal/invoices/${encodeURIComponent(invoiceId)}/pay`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

/** Reads every payment record of a doc on the relay. */
async function paymentsIn(docName: string) {
  const doc = await fixture.relay.docs.acquire(docName);
  try {
    const map = doc.doc.getMap<Y.Map<unknown>>('payments');
    return [...map.entries()].map(([id, record]) => ({
      id,
      ...record.toJSON(),
    }));
  } finally {
    fixture.relay.docs.release(docName);
  }
}

/** Starts a checkout for the invoice and returns its session id. */
async function checkout(invoiceId: string): Promise<string> {
  const response = await pay(invoiceId);
  expect(response.status).toBe(200);
  const { redirectUrl } = (await response.json()) as { redirectUrl: string };
  const sessionId = redirectUrl.split('/').pop() ?? '';
  expect(redirectUrl).toBe(`${standin.url}/checkout/${sessionId}`);
  return sessionId;
}

describe('pay route', () => {
  beforeEach(async () => {
    await startRelay(STRIPE_ENV());
    standin.setWebhookUrl(`${fixture.relay.url}/api/payments/webhook`);
  });

  it('returns 403 when payments are off', async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: false });
    const response = await pay('inv-a');
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('payments_disabled');
    expect(standin.listSessions()).toEqual([]);
  });

  it("returns 404 for another client's invoice", async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: true });
    await publish(fixture.relay, CONTACT_B, 'inv-b', { allowPayments: true });
    const response = await pay('inv-b');
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('invoice_not_found');
    expect((await pay('inv-unknown')).status).toBe(404);
    expect(standin.listSessions()).toEqual([]);
  });

  it('rejects staff and anonymous callers', async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: true });
    const staff = await staffToken(fixture.relay, 'ann@firm.example');
    expect((await pay('inv-a', staff)).status).toBe(403);
    const anonymous = await fetch(
      `${fixture.relay.url}/api/portal/invoices/inv-a/pay`,
      { method: 'POST' },
    );
    expect(anonymous.status).toBe(401);
  });

  it('starts a checkout for the open balance', async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: true });
    const sessionId = await checkout('inv-a');
    const session = standin.getSession(sessionId);
    expect(session?.amount_total).toBe(12000);
    expect(session?.currency).toBe('eur');
    expect(session?.metadata).toEqual({
      invoiceId: 'inv-a',
      contactId: CONTACT_A,
    });
    const base = `${PUBLIC_URL}/payments/return?invoice=inv-a`;
    expect(session?.success_url).toBe(`${base}&status=success`);
    expect(session?.cancel_url).toBe(`${base}&status=cancel`);
    // A second click reuses the checkout instead of starting another.
    expect(await checkout('inv-a')).toBe(sessionId);
  });

  it('refuses a void invoice', async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', {
      allowPayments: true,
      fields: { status: 'void' },
    });
    const response = await pay('inv-a');
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('invoice_not_payable');
  });
});

describe('payment webhook', () => {
  beforeEach(async () => {
    await startRelay(STRIPE_ENV());
    standin.setWebhookUrl(`${fixture.relay.url}/api/payments/webhook`);
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: true });
  });

  it('records one payment per completed checkout', async () => {
    const sessionId = await checkout('inv-a');
    const delivery = await standin.completeSession(sessionId);
    expect(delivery.status).toBe(200);
    expect(delivery.responseBody).toContain('"outcome":"recorded"');

    const expected = {
      id: paymentIdFor('stripe', sessionId),
      invoiceId: 'inv-a',
      amount: 12000,
      currency: 'EUR',
      reference: sessionId,
      method: 'online (stripe)',
    };
    const portal = await paymentsIn(`portal/${CONTACT_A}`);
    expect(portal).toHaveLength(1);
    expect(portal[0]).toMatchObject(expected);
    expect(portal[0]).toHaveProperty('publishedAt');
    const firm = await paymentsIn('firm');
    expect(firm).toHaveLength(1);
    expect(firm[0]).toMatchObject({ ...expected, contactId: CONTACT_A });

    // Paid in full: nothing is left to pay.
    const again = await pay('inv-a');
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('nothing_to_pay');
  });

  it('ignores a replayed event', async () => {
    const sessionId = await checkout('inv-a');
    const first = await standin.completeSession(sessionId);
    const replay = await standin.resendEvent(first.eventId);
    expect(replay.status).toBe(200);
    expect(replay.responseBody).toContain('"outcome":"duplicate"');

    // The processed events survive a restart of the relay.
    await fixture.restart();
    standin.setWebhookUrl(`${fixture.relay.url}/api/payments/webhook`);
    const afterRestart = await standin.resendEvent(first.eventId);
    expect(afterRestart.responseBody).toContain('"outcome":"duplicate"');
    expect(await paymentsIn(`portal/${CONTACT_A}`)).toHaveLength(1);
    expect(await paymentsIn('firm')).toHaveLength(1);
  });

  it('records one payment for a new event id', async () => {
    const sessionId = await checkout('inv-a');
    await standin.completeSession(sessionId);
    const session = standin.getSession(sessionId) ?? {};
    // Another event about the same checkout, as after a lost table row.
    const second = await standin.sendEvent(
      'checkout.session.async_payment_succeeded',
      session,
    );
    expect(second.responseBody).toContain('"outcome":"recorded"');
    expect(await paymentsIn(`portal/${CONTACT_A}`)).toHaveLength(1);
    expect(await paymentsIn('firm')).toHaveLength(1);
  });

  it('rejects and logs a bad signature', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'x' });
    const response = await fetch(`${fixture.relay.url}/api/payments/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('invalid_signature');
    const logged = logLines.filter((line) =>
      line.includes('payment webhook rejected'),
    );
    expect(logged).toHaveLength(1);
    expect(await paymentsIn('firm')).toEqual([]);
  });

  it('rejects a payment in another currency', async () => {
    const sessionId = await checkout('inv-a');
    const session = standin.getSession(sessionId);
    const delivery = await standin.sendEvent('checkout.session.completed', {
      ...session,
      currency: 'usd',
      payment_status: 'paid',
    });
    expect(delivery.status).toBe(200);
    expect(delivery.responseBody).toContain('"outcome":"rejected"');
    expect(await paymentsIn(`portal/${CONTACT_A}`)).toEqual([]);
    expect(await paymentsIn('firm')).toEqual([]);
    const logged = logLines.filter((line) =>
      line.includes('online payment not recorded'),
    );
    expect(logged).toHaveLength(1);
  });

  it('asks for the rest after a partial payment', async () => {
    await fixture.relay.docs.writeAsRelay(`portal/${CONTACT_A}`, (doc) =>
      setRecord(doc, 'payments', 'pay-1', {
        invoiceId: 'inv-a',
        amount: 2000,
        currency: 'EUR',
        receivedAt: '2026-03-05T10:00:00.000Z',
        method: 'bank transfer',
        publishedAt: '2026-03-05T10:00:00.000Z',
      }),
    );
    const sessionId = await checkout('inv-a');
    expect(standin.getSession(sessionId)?.amount_total).toBe(10000);
  });
});

describe('without a payment provider', () => {
  beforeEach(() => startRelay({}));

  it('returns 403 from the pay route', async () => {
    await publish(fixture.relay, CONTACT_A, 'inv-a', { allowPayments: true });
    const response = await pay('inv-a');
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as {
      error: { code: string; message: string };
    };
    expect(error.code).toBe('payments_not_configured');
    // Variable names help the operator, not the client.
    expect(error.message).not.toContain('STRIPE');
  });

  it('answers the webhook with 404', async () => {
    const response = await fetch(`${fixture.relay.url}/api/payments/webhook`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(404);
  });
});
