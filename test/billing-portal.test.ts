// Invoices and payments from a staff engine to a client's portal through
// a real relay, and online payment against a Stripe stand-in on loopback.
// RxDB allows 13 open collections per realm, and the staff (10) and the
// portal engine (5) need 15, so the test opens them one after the other on
// kept IndexedDB data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  openPortalEngine,
  openStaffEngine,
  type Contact,
  type Invoice,
  type Payment,
  type PortalEngine,
  type StaffEngine,
} from '@portico/engine';
import { invoiceStatus, utcDate } from '@portico/engine/billing';
import { nodeEngineOptions } from '@portico/engine/node';
import { loadConfig, startRelay, type Relay } from '@portico/relay';
import { until } from './harness/wait.js';
import {
  startStripeStandin,
  type StripeStandin,
} from './stripe-standin/index.js';

const SECRET_KEY = 'sk_test_billing_portal';
const WEBHOOK_SECRET = 'whsec_billing_portal';
const PASSWORD = 'correct horse battery staple 42';

let dataDir: string;
let standin: StripeStandin;
let relay: Relay;
let staffToken: string;
let clientToken: string;
const staffDb = new IDBFactory();
const portalDb = new IDBFactory();

let contact: Contact;
let published: Invoice;
let unpublished: Invoice;
let draft: Invoice;
let staffPayment: Payment;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-billing-'));
  standin = await startStripeStandin({
    webhookSecret: WEBHOOK_SECRET,
    secretKey: SECRET_KEY,
  });
  relay = await startRelay(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://portal.example.test',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: standin.url,
    }),
  );
  standin.setWebhookUrl(`${relay.url}/api/payments/webhook`);
  await relay.accounts.createStaff('ann@firm.example', PASSWORD);
  staffToken = await login('ann@firm.example');
});

afterAll(async () => {
  await relay?.close();
  await standin?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function login(email: string): Promise<string> {
  const response = await fetch(`${relay.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function openStaff(): Promise<StaffEngine> {
  return openStaffEngine(
    nodeEngineOptions({
      relayUrl: relay.url,
      token: staffToken,
      databaseName: 'staff',
      indexedDB: staffDb,
    }),
  );
}

function openPortal(): Promise<PortalEngine> {
  return openPortalEngine(
    nodeEngineOptions({
      relayUrl: relay.url,
      token: clientToken,
      databaseName: 'portal',
      indexedDB: portalDb,
    }),
  );
}

function pay(invoiceId: string): Promise<Response> {
  return fetch(`${relay.url}/api/portal/invoices/${invoiceId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientToken}` },
  });
}

/** Returns the record ids in one map of a doc in the relay's memory. */
async function relayKeys(docName: string, mapName: string) {
  const doc = await relay.docs.acquire(docName);
  try {
    return [...doc.doc.getMap<Y.Map<unknown>>(mapName).keys()].sort();
  } finally {
    relay.docs.release(docName);
  }
}

/** Resolves with the HTTP status of a refused WebSocket upgrade. */
function upgradeStatus(path: string, token: string): Promise<number> {
  const url = `${relay.url.replace('http', 'ws')}${path}`;
  const socket = new WebSocket(url, {
    headers: { authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.close();
      reject(new Error(`${path} was opened.`));
    });
    socket.on('error', reject);
  });
}

const invoiceInput = (number: string) => ({
  number,
  issueDate: '2026-03-01',
  dueDate: '2099-12-31',
  currency: 'EUR',
  lines: [
    { description: 'Bookkeeping', quantity: '2.5', unitAmount: 8000 },
    { description: 'Filing fee', quantity: 1, unitAmount: 4550 },
  ],
});

test('staff publish an invoice and a payment', async () => {
  const staff = await openStaff();
  try {
    contact = await staff.contacts.create({
      displayName: 'Ada Lovelace',
      kind: 'person',
      email: 'ada@client.example',
      portal: { status: 'invited' },
    });
    const input = { ...invoiceInput('INV-1'), contactId: contact.id };
    published = await staff.billing.createInvoice(input);
    unpublished = await staff.billing.createInvoice({
      ...input,
      number: 'INV-2',
    });
    draft = await staff.billing.createInvoice({ ...input, number: 'INV-3' });
    await staff.billing.issueInvoice(published.id);
    await staff.billing.issueInvoice(unpublished.id);
    published = await staff.billing.publishInvoice(published.id);
    await expect(staff.billing.publishInvoice(draft.id)).rejects.toThrow(
      'only issued invoices can be published',
    );

    staffPayment = await staff.billing.recordPayment({
      invoiceId: published.id,
      amount: 4550,
      currency: 'EUR',
      method: 'bank transfer',
    });
    await staff.billing.publishPayment(staffPayment.id);
    await staff.billing.setFirmSettings({
      allowPayments: true,
      firmName: 'Example Firm',
    });
    await staff.billing.setClientAllowPayments(contact.id, null);
    await staff.waitForAllSaved();
  } finally {
    await staff.close();
  }

  expect(published.total).toBe(24550);
  const docName = `portal/${contact.id}`;
  expect(await relayKeys(docName, 'invoices')).toEqual([published.id]);
  expect(await relayKeys(docName, 'payments')).toEqual([staffPayment.id]);
});

test('client replica has only published records', async () => {
  await relay.accounts.createClient(
    'ada@client.example',
    PASSWORD,
    contact.id,
    {
      mustChangePassword: false,
    },
  );
  clientToken = await login('ada@client.example');

  const portal = await openPortal();
  try {
    await until(
      async () => (await portal.payments.list()).length === 1,
      'the published payment on the portal replica',
    );
    const invoices = await portal.invoices.list();
    expect(invoices.map((invoice) => invoice.id)).toEqual([published.id]);
    expect(invoices[0]).toMatchObject({
      number: 'INV-1',
      total: 24550,
      status: 'issued',
      publishedAt: published.publishedAt,
    });
    const payments = await portal.payments.list();
    expect(payments[0]).toMatchObject({ id: staffPayment.id, amount: 4550 });
    const settings = await portal.settings.get(contact.id);
    expect(settings?.allowPayments).toBe(true);
  } finally {
    await portal.close();
  }

  // No other path shows the unpublished invoice to the client either.
  expect((await pay(unpublished.id)).status).toBe(404);
  expect((await pay(draft.id)).status).toBe(404);
  expect(await upgradeStatus('/sync/firm', clientToken)).toBe(403);
});

test('online payment reaches both replicas once', async () => {
  const response = await pay(published.id);
  expect(response.status).toBe(200);
  const { redirectUrl } = (await response.json()) as { redirectUrl: string };
  const sessionId = redirectUrl.split('/').pop() ?? '';
  expect(standin.getSession(sessionId)?.amount_total).toBe(20000);

  const portal = await openPortal();
  try {
    await until(
      async () => (await portal.payments.list()).length === 1,
      'the portal replica before the payment',
    );
    const delivery = await standin.completeSession(sessionId);
    expect(delivery.status).toBe(200);
    const replay = await standin.resendEvent(delivery.eventId);
    expect(replay.responseBody).toContain('"outcome":"duplicate"');

    await until(
      async () => (await portal.payments.list()).length === 2,
      'the online payment on the portal replica',
    );
    const payments = await portal.payments.list();
    const invoice = await portal.invoices.get(published.id);
    expect(invoice).toBeDefined();
    if (invoice === undefined) return;
    expect(invoiceStatus(invoice, payments, utcDate())).toBe('paid');
  } finally {
    await portal.close();
  }

  const staff = await openStaff();
  try {
    await until(
      async () => (await staff.payments.list()).length === 2,
      'the online payment in the firm doc',
    );
    const online = (await staff.payments.list()).find(
      (payment) => payment.id !== staffPayment.id,
    );
    expect(online).toMatchObject({
      contactId: contact.id,
      invoiceId: published.id,
      amount: 20000,
      currency: 'EUR',
      reference: sessionId,
    });
    const summary = await staff.billing.summarizeInvoice(published.id);
    expect(summary.status).toBe('paid');
    expect(summary.balance.balance).toBe(0);
  } finally {
    await staff.close();
  }
});
