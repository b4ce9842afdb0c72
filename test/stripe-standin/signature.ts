/**
 * Webhook signing in Stripe's documented scheme: the `Stripe-Signature`
 * header is `t=<unix seconds>,v1=<hex>`, where the hex value is the
 * HMAC-SHA256 of `<t>.<raw body>` keyed with the whole endpoint secret.
 */
import { createHmac } from 'node:crypto';

/** Builds a `Stripe-Signature` header for `payload` at `timestamp`. */
export function signStripePayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestamp}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
