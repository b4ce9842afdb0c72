/**
 * Checkout sessions as the stand-in stores and returns them: the subset of
 * Stripe's `checkout.session` object that Portico reads, plus the pages shown
 * to the payer.
 */
import { randomBytes } from 'node:crypto';
import { formObject, formString, type FormObject } from './form.js';

/** A checkout session in Stripe's JSON shape (a subset of its fields). */
export interface StandinSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  status: 'open' | 'complete';
  payment_status: 'unpaid' | 'paid';
  /** In Stripe's amount convention for the currency. */
  amount_total: number;
  amount_subtotal: number;
  /** Lower case, as Stripe returns it. */
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  /** Name of the single line item. */
  description: string;
  success_url: string;
  cancel_url: string;
  url: string;
  payment_intent: string | null;
  livemode: false;
  created: number;
  expires_at: number;
}

export interface SessionParamError {
  error: string;
  param: string;
}

const DAY_SECONDS = 24 * 60 * 60;

// Stripe accepts amounts in these currencies only with a last digit of 0.
const TENS_ONLY = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * Validates create-session parameters and builds the session. Only what
 * the provider sends is supported: mode "payment" with one line item that
 * has inline `price_data`.
 */
export function createSession(
  form: FormObject,
  origin: string,
): StandinSession | SessionParamError {
  const mode = formString(form, 'mode');
  if (mode !== 'payment') {
    return {
      error: `The stand-in supports mode "payment" only, not ${String(mode)}.`,
      param: 'mode',
    };
  }
  const items = formObject(form, 'line_items') ?? {};
  if (Object.keys(items).length !== 1) {
    return {
      error: 'The stand-in supports exactly one line item.',
      param: 'line_items',
    };
  }

  const item = readLineItem(form);
  if ('error' in item) return item;
  const urls = readUrls(form);
  if ('error' in urls) return urls;

  const id = `cs_test_${randomBytes(16).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const amount = item.unitAmount * item.quantity;
  return {
    id,
    object: 'checkout.session',
    mode: 'payment',
    status: 'open',
    payment_status: 'unpaid',
    amount_total: amount,
    amount_subtotal: amount,
    currency: item.currency,
    client_reference_id: formString(form, 'client_reference_id') ?? null,
    metadata: readMetadata(form),
    description: item.name,
    success_url: urls.success,
    cancel_url: urls.cancel,
    url: `${origin}/checkout/${id}`,
    payment_intent: null,
    livemode: false,
    created,
    expires_at: created + DAY_SECONDS,
  };
}

interface LineItem {
  currency: string;
  unitAmount: number;
  quantity: number;
  name: string;
}

function readLineItem(form: FormObject): LineItem | SessionParamError {
  const prefix = 'line_items.0';
  const currency = formString(form, `${prefix}.price_data.currency`);
  const unitAmount = Number(
    formString(form, `${prefix}.price_data.unit_amount`),
  );
  const quantity = Number(formString(form, `${prefix}.quantity`));
  const name = formString(form, `${prefix}.price_data.product_data.name`);

  if (!currency || !/^[a-z]{3}$/.test(currency)) {
    return {
      error: 'Missing or invalid currency.',
      param: 'line_items[0][price_data][currency]',
    };
  }
  if (!Number.isSafeInteger(unitAmount) || unitAmount < 0) {
    return {
      error: 'Invalid integer unit_amount.',
      param: 'line_items[0][price_data][unit_amount]',
    };
  }
  if (TENS_ONLY.has(currency) && unitAmount % 10 !== 0) {
    return {
      error: `Amounts in ${currency} must end in 0.`,
      param: 'line_items[0][price_data][unit_amount]',
    };
  }
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    return {
      error: 'Invalid integer quantity.',
      param: 'line_items[0][quantity]',
    };
  }
  if (!name) {
    return {
      error: 'Missing required param: product_data[name].',
      param: 'line_items[0][price_data][product_data][name]',
    };
  }
  return { currency, unitAmount, quantity, name };
}

function readUrls(
  form: FormObject,
): { success: string; cancel: string } | SessionParamError {
  const success = formString(form, 'success_url');
  const cancel = formString(form, 'cancel_url');
  if (!success || !URL.canParse(success)) {
    return { error: 'Missing or invalid success_url.', param: 'success_url' };
  }
  if (cancel !== undefined && !URL.canParse(cancel)) {
    return { error: 'Invalid cancel_url.', param: 'cancel_url' };
  }
  return { success, cancel: cancel ?? success };
}

function readMetadata(form: FormObject): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    formObject(form, 'metadata') ?? {},
  )) {
    if (typeof value === 'string') metadata[key] = value;
  }
  return metadata;
}

/** Renders the payment page: the item, the amount and a "Pay" button. */
export function checkoutPage(session: StandinSession): string {
  const amount = `${session.amount_total} ${session.currency.toUpperCase()}`;
  const body =
    `<p>Item: <span id="description">${escapeHtml(session.description)}</span></p>` +
    `<p>Amount (Stripe minor units): <span id="amount">${escapeHtml(amount)}</span></p>` +
    `<form method="post" action="/checkout/${encodeURIComponent(session.id)}/pay">` +
    '<button type="submit">Pay</button></form>' +
    `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>`;
  return page('Stripe stand-in checkout', body);
}

/** Renders a page with a heading and one line of text. */
export function messagePage(title: string, text: string): string {
  return page(title, `<p>${escapeHtml(text)}</p>`);
}

function page(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<title>${escapeHtml(title)}</title></head><body>` +
    `<h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
