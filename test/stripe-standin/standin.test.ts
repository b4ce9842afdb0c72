import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStripeForm } from './form.js';
import { startStripeStandin, type StripeStandin } from './index.js';

const SECRET_KEY = 'sk_test_standin';
const WEBHOOK_SECRET = 'whsec_standin';

interface Received {
  body: string;
  signature: string;
}

let standin: StripeStandin;
let receiver: Server;
let received: Received[];

beforeEach(async () => {
  received = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({
        body,
        signature: String(req.headers['stripe-signature']),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) =>
    receiver.listen(0, '127.0.0.1', resolve),
  );
  const { port } = receiver.address() as AddressInfo;
  standin = await startStripeStandin({
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: `http://127.0.0.1:${port}/hook`,
    secretKey: SECRET_KEY,
  });
});

afterEach(async () => {
  await standin.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const SESSION_FORM = new URLSearchParams({
  mode: 'payment',
  'line_items[0][quantity]': '2',
  'line_items[0][price_data][currency]': 'eur',
  'line_items[0][price_data][unit_amount]': '1250',
  'line_items[0][price_data][product_data][name]': 'Invoice <7>',
  'metadata[invoiceId]': 'inv-7',
  'metadata[contactId]': 'contact-7',
  success_url: 'http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://127.0.0.1:9/cancel',
}).toString();

async function createSession(
  body = SESSION_FORM,
  key = SECRET_KEY,
): Promise<Response> {
  return fetch(`${standin.url}/v1/checkout/sessions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  });
}

async function createdSessionId(): Promise<string> {
  const response = await createSession();
  expect(response.status).toBe(200);
  const session = (await response.json()) as { id: string };
  return session.id;
}

describe('stripe stand-in', () => {
  it('decodes bracketed form fields', () => {
    const form = parseStripeForm('a[b][0][c]=1&a[b][1][c]=2&t[]=x&t[]=y');
    expect(form).toEqual({
      a: { b: { '0': { c: '1' }, '1': { c: '2' } } },
      t: { '0': 'x', '1': 'y' },
    });
  });

  it('creates a session', async () => {
    const response = await createSession();
    expect(response.status).toBe(200);
    const session = (await response.json()) as Record<string, unknown>;
    expect(session.amount_total).toBe(2500);
    expect(session.currency).toBe('eur');
    expect(session.metadata).toEqual({
      invoiceId: 'inv-7',
      contactId: 'contact-7',
    });
    expect(session.url).toBe(`${standin.url}/checkout/${String(session.id)}`);
  });

  it('rejects a wrong API key', async () => {
    const response = await createSession(SESSION_FORM, 'sk_test_other');
    expect(response.status).toBe(401);
    expect(standin.listSessions()).toEqual([]);
  });

  it('rejects a missing currency', async () => {
    const form = new URLSearchParams(SESSION_FORM);
    form.delete('line_items[0][price_data][currency]');
    const response = await createSession(form.toString());
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string } };
    expect(body.error.param).toBe('line_items[0][price_data][currency]');
  });

  it('pays from the checkout page', async () => {
    const id = await createdSessionId();
    const page = await fetch(`${standin.url}/checkout/${id}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<button type="submit">Pay</button>');
    expect(html).toContain('Invoice &lt;7&gt;');

    const paid = await fetch(`${standin.url}/checkout/${id}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(
      `http://127.0.0.1:9/paid?session=${id}`,
    );
    expect(standin.getSession(id)?.payment_status).toBe('paid');

    expect(received).toHaveLength(1);
    const event = JSON.parse(received[0]?.body ?? '') as {
      type: string;
      data: { object: { id: string } };
    };
    expect(event.type).toBe('checkout.session.completed');
    expect(event.data.object.id).toBe(id);

    const again = await fetch(`${standin.url}/checkout/${id}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(again.status).toBe(409);
    expect(received).toHaveLength(1);
  });

  it('signs with the documented scheme', async () => {
    const id = await createdSessionId();
    await standin.completeSession(id);
    const webhook = received[0];
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(webhook?.signature ?? '');
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', WEBHOOK_SECRET)
      .update(`${match?.[1]}.${webhook?.body}`)
      .digest('hex');
    expect(match?.[2]).toBe(expected);
  });

  it('refuses a webhook URL off loopback', () => {
    expect(() => standin.setWebhookUrl('http://192.0.2.1/hook')).toThrow(
      'not on loopback',
    );
  });
});
