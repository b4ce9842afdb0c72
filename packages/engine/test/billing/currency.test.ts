import { describe, expect, it } from 'vitest';
import {
  BillingError,
  CURRENCY_CODES,
  currencyExponent,
  formatMinorUnits,
  isCurrencyCode,
  normalizeCurrency,
  toMinorUnits,
} from '../../src/billing/index.js';

describe('currency exponents', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['BHD', 3],
    ['KWD', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('%s has %i digits', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it('lists every zero and three digit code', () => {
    const zero = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV'
      .concat(' XAF XOF XPF')
      .split(' ');
    const three = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
    for (const code of zero) expect(currencyExponent(code)).toBe(0);
    for (const code of three) expect(currencyExponent(code)).toBe(3);
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
  });

  it.each(['XYZ', 'eur', 'XAU', '', 'EURO'])('rejects code %j', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
    expect(() => currencyExponent(code)).toThrow(BillingError);
    expect(() => currencyExponent(code)).toThrow(JSON.stringify(code));
  });

  it('normalizes letter case', () => {
    expect(normalizeCurrency('eur')).toBe('EUR');
    expect(() => normalizeCurrency('abc')).toThrow('"abc"');
  });
});

describe('major and minor units', () => {
  it.each([
    ['12.34', 'EUR', 1234],
    ['12', 'EUR', 1200],
    ['-0.05', 'EUR', -5],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0.1', 'BHD', 100],
  ])('parses %s %s', (major, currency, minor) => {
    expect(toMinorUnits(major, currency)).toBe(minor);
  });

  it.each([
    ['12.345', 'EUR'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['1e3', 'EUR'],
    ['12,34', 'EUR'],
  ])('rejects %s %s', (major, currency) => {
    expect(() => toMinorUnits(major, currency)).toThrow(JSON.stringify(major));
  });

  it.each([
    [1234, 'EUR', '12.34'],
    [-5, 'EUR', '-0.05'],
    [0, 'EUR', '0.00'],
    [1500, 'JPY', '1500'],
    [1, 'KWD', '0.001'],
    [12345, 'CLF', '1.2345'],
  ])('formats %i %s', (minor, currency, major) => {
    expect(formatMinorUnits(minor, currency)).toBe(major);
  });

  it('rejects a fractional minor amount', () => {
    expect(() => formatMinorUnits(1.5, 'EUR')).toThrow('1.5');
  });
});
