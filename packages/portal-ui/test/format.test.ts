import { describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatMoney } from '../src/ui/format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1000, '1.0 KB'],
    [1_500_000, '1.5 MB'],
    [25_000_000, '25 MB'],
    [3_200_000_000, '3.2 GB'],
  ])('formats %i', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatMoney', () => {
  it('uses the currency exponent and groups thousands', () => {
    expect(formatMoney(123456789, 'EUR')).toBe('1,234,567.89 EUR');
    expect(formatMoney(1500, 'JPY')).toBe('1,500 JPY');
    expect(formatMoney(1234, 'KWD')).toBe('1.234 KWD');
  });

  it('keeps the sign of a credit', () => {
    expect(formatMoney(-100050, 'USD')).toBe('-1,000.50 USD');
  });

  it('shows minor units for an unknown currency', () => {
    expect(formatMoney(500, 'ZZZ')).toBe('500 ZZZ (minor units)');
  });
});

describe('formatDate', () => {
  it('keeps a calendar date on its day in any time zone', () => {
    // Parsing "2025-03-01" as a Date gives midnight UTC, which is still
    // February in time zones west of UTC; the expected text is formatted
    // in UTC so that it names the 1st wherever the test runs.
    const utc = new Intl.DateTimeFormat(undefined, {
      dateStyle: 'medium',
      timeZone: 'UTC',
    });
    expect(formatDate('2025-03-01')).toBe(utc.format(Date.UTC(2025, 2, 1)));
  });
});
