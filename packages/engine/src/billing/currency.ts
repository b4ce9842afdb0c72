/**
 * ISO 4217 currency codes with their minor-unit exponent: the number of
 * decimal digits between the major unit and the minor unit in which
 * Portico stores every amount (EUR 2, so 1234 is 12.34 EUR; JPY 0; KWD 3).
 */
import { BillingError } from './errors.js';
import {
  formatScaledDecimal,
  parseScaledDecimal,
  requireSafeInteger,
} from './decimal.js';

// Exponents from the ISO 4217 list one (active codes). Codes without minor
// units in the standard (precious metals, XDR, XXX) are left out because
// an invoice cannot be priced in them. Fund codes are left out as well,
// except CLF, UYI and UYW, because their exponent is not 2 and contracts
// in Chile and Uruguay are priced in them.
const CODES_BY_EXPONENT: Readonly<Record<number, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB ' +
    'BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP ' +
    'DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG ' +
    'HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL ' +
    'MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG ' +
    'SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD ' +
    'TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries(CODES_BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(' ').map((code) => [code, Number(exponent)] as const),
  ),
);

/** Every currency code this module accepts, in alphabetical order. */
export const CURRENCY_CODES: readonly string[] = [...EXPONENTS.keys()].sort();

/** Returns true for a known ISO 4217 code in upper case, such as "EUR". */
export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && EXPONENTS.has(code);
}

/**
 * Returns the upper-case code for a known currency in any letter case
 * (Stripe sends "eur"), and raises `unknown-currency` otherwise.
 */
export function normalizeCurrency(code: string): string {
  const upper = code.toUpperCase();
  if (!EXPONENTS.has(upper)) throw unknownCurrency(code);
  return upper;
}

/** Returns the minor-unit exponent of an upper-case ISO 4217 code. */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code);
  if (exponent === undefined) throw unknownCurrency(code);
  return exponent;
}

/**
 * Converts a decimal amount in major units ("12.34") to an integer in minor
 * units (1234 for EUR). More fraction digits than the currency has are
 * rejected instead of rounded, because a silently rounded price is a
 * different price.
 */
export function toMinorUnits(major: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const units = parseScaledDecimal(major, exponent);
  if (units === undefined) {
    throw new BillingError(
      'invalid-amount',
      `Invalid ${currency} amount ${JSON.stringify(major)}: expected a ` +
        `decimal with at most ${exponent} fraction digits, such as ` +
        `${JSON.stringify(formatScaledDecimal(1234n, exponent))}.`,
    );
  }
  return requireSafeInteger(units, `${currency} amount`);
}

/** Formats an integer in minor units as a decimal in major units. */
export function formatMinorUnits(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (!Number.isSafeInteger(amount)) {
    throw new BillingError(
      'invalid-amount',
      `Invalid ${currency} amount ${String(amount)}: expected an integer ` +
        'in minor units.',
    );
  }
  return formatScaledDecimal(BigInt(amount), exponent);
}

function unknownCurrency(code: string): BillingError {
  return new BillingError(
    'unknown-currency',
    `Unknown currency code ${JSON.stringify(code)}: expected an ISO 4217 ` +
      'code with minor units, such as "EUR", "JPY" or "KWD".',
  );
}
