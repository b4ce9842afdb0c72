/**
 * Conversion between ISO 4217 minor units, which Portico stores, and the
 * integer amounts the Stripe API expects. They are the same number for
 * almost every currency. The exceptions below follow Stripe's notes on
 * special-case currencies (docs.stripe.com/currencies) as of 2023.
 */
import { normalizeCurrency } from '@portico/engine/billing';
import { CheckoutError } from './provider.js';

// ISO 4217 gives ISK no minor unit, but the Stripe API still counts ISK in
// hundredths and accepts only multiples of 100 (a whole króna).
const HUNDREDTHS_IN_STRIPE = new Set(['ISK']);

// Stripe accepts these three-digit currencies only when the last digit of
// the amount is 0, so 5.124 KWD must be charged as 5.120 or 5.130.
const TENS_ONLY_IN_STRIPE = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Raised for an amount Stripe cannot charge in that currency. */
export class StripeAmountError extends CheckoutError {
  override readonly name = 'StripeAmountError';
}

/**
 * Converts minor units to a Stripe amount. Raises `StripeAmountError` for
 * a value that is not a positive integer, and for a three-digit amount
 * that Stripe would reject because its last digit is not 0.
 */
export function toStripeAmount(amount: number, currency: string): number {
  const code = normalizeCurrency(currency);
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new StripeAmountError(
      `Invalid ${code} amount ${String(amount)}: expected a positive ` +
        'integer in minor units.',
    );
  }
  if (TENS_ONLY_IN_STRIPE.has(code) && amount % 10 !== 0) {
    throw new StripeAmountError(
      `Stripe cannot charge ${code} ${String(amount)} minor units: the ` +
        'last digit must be 0, so round the amount to a multiple of 10.',
    );
  }
  return HUNDREDTHS_IN_STRIPE.has(code) ? amount * 100 : amount;
}

/** Converts a Stripe amount back to ISO minor units. */
export function fromStripeAmount(amount: number, currency: string): number {
  const code = normalizeCurrency(currency);
  if (!HUNDREDTHS_IN_STRIPE.has(code)) return amount;
  if (amount % 100 !== 0) {
    throw new StripeAmountError(
      `Stripe ${code} amount ${String(amount)} is not a whole number of ` +
        'units; it cannot be stored in ISO minor units.',
    );
  }
  return amount / 100;
}
