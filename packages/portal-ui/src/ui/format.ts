/** Display formats for sizes, dates and money. */
import { formatMinorUnits } from '@portico/engine/billing';

const SIZE_UNITS = ['KB', 'MB', 'GB', 'TB'];

/** Formats a byte count with 1000-based units, such as "1.5 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of SIZE_UNITS) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/**
 * Formats a calendar date (YYYY-MM-DD) without shifting it through the
 * local time zone, which would show the previous day west of UTC.
 */
export function formatDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (match === null) return formatDateTime(isoDate);
  const [, year, month, day] = match.map(Number);
  const date = new Date(year ?? 0, (month ?? 1) - 1, day ?? 1);
  return dateFormat.format(date);
}

/** Formats an ISO 8601 timestamp in the client's time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** Formats minor units with the currency code, such as "1,234.50 EUR". */
export function formatMoney(amount: number, currency: string): string {
  try {
    const decimal = formatMinorUnits(amount, currency);
    return `${groupThousands(decimal)} ${currency}`;
  } catch {
    // An unknown currency: show the stored value rather than nothing.
    return `${amount} ${currency} (minor units)`;
  }
}

function groupThousands(decimal: string): string {
  const [whole = '', fraction] = decimal.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '');
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined
    ? `${sign}${grouped}`
    : `${sign}${grouped}.${fraction}`;
}
