/**
 * Exact decimal parsing for money and quantities. Values become a BigInt
 * count of 10^-scale units, so "0.1" at scale 4 is 1000n and no binary
 * floating point is ever involved.
 */
import { BillingError } from './errors.js';

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain decimal such as "12", "-0.5" or "1.2500" into units of
 * 10^-scale. Returns undefined when the text is not a plain decimal or has
 * more significant fraction digits than `scale`. Trailing zeros beyond the
 * scale are accepted because they do not change the value.
 */
export function parseScaledDecimal(
  text: string,
  scale: number,
): bigint | undefined {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;

  const [, minus, whole = '', rawFraction = ''] = match;
  const fraction = rawFraction.replace(/0+$/, '');
  if (fraction.length > scale) return undefined;

  const digits = whole + fraction.padEnd(scale, '0');
  const units = BigInt(digits);
  return minus ? -units : units;
}

/**
 * Converts a JavaScript number to the decimal text that parses back to it.
 * `String(n)` gives the shortest round-trip form, which is the literal the
 * caller wrote for any value with up to 15 significant digits. Exponent
 * forms such as "1e-7" return undefined, so the caller rejects them.
 */
export function numberToDecimalText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}

/** Formats units of 10^-scale as a plain decimal with exactly `scale` digits. */
export function formatScaledDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;

  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, -scale);
  const fraction = padded.slice(-scale);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Divides by 10^scale and rounds half away from zero, the rule commercial
 * invoices use: 2.5 becomes 3 and -2.5 becomes -3.
 */
export function roundScaled(units: bigint, scale: number): bigint {
  const divisor = 10n ** BigInt(scale);
  const magnitude = units < 0n ? -units : units;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return units < 0n ? -rounded : rounded;
}

/**
 * Returns the BigInt as a number, raising `overflow` past 2^53 - 1, where
 * numbers stop being exact integers. `label` names the value in the message.
 */
export function requireSafeInteger(value: bigint, label: string): number {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (value > max || value < -max) {
    throw new BillingError(
      'overflow',
      `${label} ${value.toString()} is beyond the largest exact integer ` +
        '(2^53 - 1 minor units).',
    );
  }
  return Number(value);
}
