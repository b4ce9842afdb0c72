/**
 * A local stand-in for the parts of the Stripe API that Portico's payment
 * provider uses, for tests that must not reach the internet. It serves:
 *
 * - `POST /v1/checkout/sessions` and `GET /v1/checkout/sessions/<id>`, in
 *   Stripe's form encoding and JSON shapes, with idempotency keys;
 * - `GET /checkout/<id>`, a payment page with a "Pay" button, which a
 *   browser test can click;
 * - on payment, a signed `checkout.session.completed` webhook to the
 *   configured URL, then a redirect to the session's success URL.
 *
 * It listens on 127.0.0.1 only and sends webhooks only to loopback URLs.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { signStripePayload } from './signature.js';
import { parseStripeForm } from './form.js';
import {
  checkoutPage,
  createSession,
  messagePage,
  type StandinSession,
} from './sessions.js';

export { signStripePayload } from './signature.js';
export type { StandinSession } from './sessions.js';

export interface StripeStandinOptions {
  /** Signing secret shared with the provider under test. */
  webhookSecret: string;
  /** Where webhooks go; may be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** When set, API requests must use this key; otherwise any `sk_` key. */
  secretKey?: string;
}

/** The outcome of one webhook delivery. */
export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  /** HTTP status of the receiver's response; absent on a network error. */
  status?: number;
  responseBody?: string;
  error?: string;
}

export interface StripeStandin {
  /** Value for the Stripe client's host, port and protocol options. */
  apiBase: { host: string; port: number; protocol: 'http' };
  /** Origin of the stand-in, such as "http://127.0.0.1:41234". */
  url: string;
  /** Sets the webhook receiver, for when it starts after the stand-in. */
  setWebhookUrl(url: string): void;
  getSession(id: string): StandinSession | undefined;
  listSessions(): StandinSession[];
  /** Every webhook delivery so far, oldest first. */
  deliveries: readonly WebhookDelivery[];
  /**
   * Marks the session paid and delivers its signed completion webhook,
   * as a click on "Pay" does. Rejects for an unknown or already paid
   * session, or when no webhook URL is set or the receiver is unreachable.
   */
  completeSession(id: string): Promise<WebhookDelivery>;
  /** Delivers a sent event again: same bytes, fresh signature, as on a retry. */
  resendEvent(eventId: string): Promise<WebhookDelivery>;
  /** Signs and delivers an event of any type with the given data object. */
  sendEvent(type: string, object: object): Promise<WebhookDelivery>;
  close(): Promise<void>;
}

interface StandinState {
  options: StripeStandinOptions;
  origin: string;
  webhookUrl: string | undefined;
  sessions: Map<string, StandinSession>;
  /** Idempotency key to the request body and response it produced. */
  idempotent: Map<string, { body: string; response: string }>;
  /** Event id to its JSON payload, for resending. */
  events: Map<string, { type: string; payload: string }>;
  deliveries: WebhookDelivery[];
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startStripeStandin(
  options: StripeStandinOptions,
): Promise<StripeStandin> {
  if (options.webhookUrl) checkLoopbackUrl(options.webhookUrl);
  const state: StandinState = {
    options,
    origin: '',
    webhookUrl: options.webhookUrl,
    sessions: new Map(),
    idempotent: new Map(),
    events: new Map(),
    deliveries: [],
  };

  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      sendJson(res, 500, stripeError('api_error', String(error)));
    });
  });
  const port = await listen(server);
  state.origin = `http://127.0.0.1:${port}`;

  return {
    apiBase: { host: '127.0.0.1', port, protocol: 'http' },
    url: state.origin,
    setWebhookUrl(url) {
      checkLoopbackUrl(url);
      state.webhookUrl = url;
    },
    getSession: (id) => state.sessions.get(id),
    listSessions: () => [...state.sessions.values()],
    deliveries: state.deliveries,
    completeSession: (id) => completeSession(state, id),
    resendEvent: (eventId) => resendEvent(state, eventId),
    sendEvent: (type, object) => sendEvent(state, type, object),
    close: () => close(server),
  };
}

async function handle(
  state: StandinState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', state.origin);
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';

  if (parts[0] === 'v1') {
    await handleApi(state, req, res, method, parts);
    return;
  }
  if (parts[0] === 'checkout' && parts[1] && parts.length <= 3) {
    await handlePage(state, res, method, parts[1], parts[2]);
    return;
  }
  sendHtml(res, 404, messagePage('Not found', 'No such page.'));
}

async function handleApi(
  state: StandinState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  parts: string[],
): Promise<void> {
  const body = await readBody(req);
  if (!authorized(state, req)) {
    sendJson(
      res,
      401,
      stripeError('invalid_request_error', 'Invalid API Key provided.'),
    );
    return;
  }

  const route = parts.slice(1, 3).join('/');
  if (route !== 'checkout/sessions') {
    sendJson(
      res,
      404,
      stripeError(
        'invalid_request_error',
        `Unrecognized request URL (${method}: /${parts.join('/')}).`,
      ),
    );
    return;
  }
  if (method === 'POST' && parts.length === 3) {
    createSessionRoute(state, req, res, body);
    return;
  }
  const session = parts[3] ? state.sessions.get(parts[3]) : undefined;
  if (method === 'GET' && parts.length === 4 && session) {
    sendJson(res, 200, session);
    return;
  }
  sendJson(
    res,
    404,
    stripeError(
      'invalid_request_error',
      `No such checkout.session: '${parts[3] ?? ''}'`,
    ),
  );
}

function createSessionRoute(
  state: StandinState,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): void {
  const key = header(req, 'idempotency-key');
  const earlier = key ? state.idempotent.get(key) : undefined;
  if (earlier) {
    // Stripe replays the first response for a repeated key, and rejects
    // the key when it comes back with different parameters.
    if (earlier.body === body) {
      sendRaw(res, 200, earlier.response, { 'idempotent-replayed': 'true' });
    } else {
      sendJson(
        res,
        400,
        stripeError(
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
        ),
      );
    }
    return;
  }

  const created = createSession(parseStripeForm(body), state.origin);
  if ('error' in created) {
    sendJson(
      res,
      400,
      stripeError('invalid_request_error', created.error, created.param),
    );
    return;
  }
  state.sessions.set(created.id, created);
  const response = JSON.stringify(created);
  if (key) state.idempotent.set(key, { body, response });
  sendRaw(res, 200, response);
}

async function handlePage(
  state: StandinState,
  res: ServerResponse,
  method: string,
  sessionId: string,
  action: string | undefined,
): Promise<void> {
  const session = state.sessions.get(sessionId);
  if (!session) {
    sendHtml(res, 404, messagePage('Not found', 'No such checkout session.'));
    return;
  }
  if (method === 'GET' && action === undefined) {
    sendHtml(res, 200, checkoutPage(session));
    return;
  }
  if (method !== 'POST' || action !== 'pay') {
    sendHtml(res, 405, messagePage('Not allowed', 'Use the Pay button.'));
    return;
  }
  if (session.status !== 'open') {
    sendHtml(
      res,
      409,
      messagePage('Already paid', 'This checkout is complete.'),
    );
    return;
  }

  // A failed delivery is kept in `deliveries`; like Stripe, the payer is
  // sent on to the success page whether or not the webhook got through.
  await completeSession(state, sessionId).catch(() => undefined);
  const location = session.success_url.replaceAll(
    '{CHECKOUT_SESSION_ID}',
    session.id,
  );
  res.writeHead(303, { location }).end();
}

async function completeSession(
  state: StandinState,
  id: string,
): Promise<WebhookDelivery> {
  const session = state.sessions.get(id);
  if (!session) throw new Error(`Unknown checkout session ${id}.`);
  if (session.status !== 'open') {
    throw new Error(`Checkout session ${id} is already ${session.status}.`);
  }
  session.status = 'complete';
  session.payment_status = 'paid';
  session.payment_intent = randomId('pi');
  return sendEvent(state, 'checkout.session.completed', session);
}

async function sendEvent(
  state: StandinState,
  type: string,
  object: object,
): Promise<WebhookDelivery> {
  const id = randomId('evt');
  const payload = JSON.stringify(
    {
      id,
      object: 'event',
      api_version: null,
      created: Math.floor(Date.now() / 1000),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    },
    null,
    2,
  );
  state.events.set(id, { type, payload });
  return deliver(state, id, type, payload);
}

async function resendEvent(
  state: StandinState,
  eventId: string,
): Promise<WebhookDelivery> {
  const event = state.events.get(eventId);
  if (!event) throw new Error(`Unknown event ${eventId}.`);
  return deliver(state, eventId, event.type, event.payload);
}

async function deliver(
  state: StandinState,
  eventId: string,
  eventType: string,
  payload: string,
): Promise<WebhookDelivery> {
  const url = state.webhookUrl;
  if (!url) throw new Error('No webhook URL is set; call setWebhookUrl.');

  const delivery: WebhookDelivery = { eventId, eventType };
  state.deliveries.push(delivery);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signStripePayload(
          payload,
          state.options.webhookSecret,
        ),
      },
      body: payload,
    });
    delivery.status = response.status;
    delivery.responseBody = await response.text();
  } catch (error) {
    delivery.error = error instanceof Error ? error.message : String(error);
    throw new Error(`Webhook ${eventId} to ${url} failed: ${delivery.error}`, {
      cause: error,
    });
  }
  return delivery;
}

function authorized(state: StandinState, req: IncomingMessage): boolean {
  const match = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '');
  const key = match?.[1];
  if (!key) return false;
  const expected = state.options.secretKey;
  return expected === undefined ? key.startsWith('sk_') : key === expected;
}

// The stand-in must never post to another machine, whatever a test sets.
function checkLoopbackUrl(value: string): void {
  const host = new URL(value).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`Webhook URL ${value} is not on loopback; use 127.0.0.1.`);
  }
}

function stripeError(type: string, message: string, param?: string): object {
  return { error: { type, message, ...(param ? { param } : {}) } };
}

function randomId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString('hex')}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, value: object): void {
  sendRaw(res, status, JSON.stringify(value));
}

function sendRaw(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'request-id': randomId('req'),
      ...headers,
    })
    .end(body);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    .end(html);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // The Stripe client keeps connections alive; end them so close returns.
    server.closeAllConnections();
  });
}
