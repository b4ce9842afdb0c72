import { describe, expect, it } from 'vitest';
import { parseRoute, routeUrl, type Route } from '../src/app/routes.js';

const BASE = 'https://portal.example.com';

function parse(path: string): Route {
  return parseRoute(new URL(path, BASE));
}

describe('parseRoute', () => {
  it('maps the root and /files to the files page', () => {
    expect(parse('/')).toEqual({ name: 'files' });
    expect(parse('/files/')).toEqual({ name: 'files' });
  });

  it('reads the token of the emailed reset link', () => {
    expect(parse('/reset?token=abc%2B1')).toEqual({
      name: 'reset',
      token: 'abc+1',
    });
    expect(parse('/reset')).toEqual({ name: 'reset', token: '' });
  });

  it('reads the payment provider return address', () => {
    expect(parse('/payments/return?invoice=inv-1&status=success')).toEqual({
      name: 'payment-return',
      invoiceId: 'inv-1',
      status: 'success',
    });
    expect(parse('/payments/return?invoice=inv-1&status=bogus')).toEqual({
      name: 'payment-return',
      invoiceId: 'inv-1',
      status: 'unknown',
    });
  });

  it('decodes invoice ids and keeps malformed escapes', () => {
    expect(parse('/invoices/a%20b')).toEqual({ name: 'invoice', id: 'a b' });
    expect(parse('/invoices/%E0%A4%A')).toEqual({
      name: 'invoice',
      id: '%E0%A4%A',
    });
  });

  it('reports unknown paths', () => {
    expect(parse('/invoices/1/extra')).toEqual({
      name: 'not-found',
      path: '/invoices/1/extra',
    });
  });
});

describe('routeUrl', () => {
  const routes: Route[] = [
    { name: 'files' },
    { name: 'login' },
    { name: 'forgot-password' },
    { name: 'change-password' },
    { name: 'invoices' },
    { name: 'payments' },
    { name: 'reset', token: 'a/b c' },
    { name: 'invoice', id: 'x/y' },
    { name: 'payment-return', invoiceId: 'i 1', status: 'cancel' },
  ];

  it.each(routes)('round-trips $name', (route) => {
    expect(parse(routeUrl(route))).toEqual(route);
  });
});
