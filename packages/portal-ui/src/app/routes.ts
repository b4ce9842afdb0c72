/**
 * The portal's URL paths. The relay serves the app at `/`, and the reset
 * link in the email and the payment provider's return address point at
 * `/reset` and `/payments/return`, so those two paths are fixed.
 */

export type Route =
  | { name: 'login' }
  | { name: 'forgot-password' }
  | { name: 'reset'; token: string }
  | { name: 'change-password' }
  | { name: 'files' }
  | { name: 'invoices' }
  | { name: 'invoice'; id: string }
  | { name: 'payments' }
  | { name: 'payment-return'; invoiceId: string; status: PaymentOutcome }
  | { name: 'not-found'; path: string };

export type PaymentOutcome = 'success' | 'cancel' | 'unknown';

/** Routes that anyone may open without a session. */
export const PUBLIC_ROUTES: ReadonlySet<Route['name']> = new Set([
  'login',
  'forgot-password',
  'reset',
]);

export function parseRoute(url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const query = url.searchParams;
  const invoice = /^\/invoices\/([^/]+)$/.exec(path);
  if (invoice?.[1] !== undefined) {
    return { name: 'invoice', id: decodeSegment(invoice[1]) };
  }

  switch (path) {
    case '/':
    case '/files':
      return { name: 'files' };
    case '/login':
      return { name: 'login' };
    case '/forgot-password':
      return { name: 'forgot-password' };
    case '/reset':
      return { name: 'reset', token: query.get('token') ?? '' };
    case '/change-password':
      return { name: 'change-password' };
    case '/invoices':
      return { name: 'invoices' };
    case '/payments':
      return { name: 'payments' };
    case '/payments/return':
      return {
        name: 'payment-return',
        invoiceId: query.get('invoice') ?? '',
        status: paymentOutcome(query.get('status')),
      };
    default:
      return { name: 'not-found', path };
  }
}

/** Returns the path and query that `parseRoute` maps back to `route`. */
export function routeUrl(route: Route): string {
  switch (route.name) {
    case 'files':
      return '/';
    case 'reset':
      return `/reset?token=${encodeURIComponent(route.token)}`;
    case 'invoice':
      return `/invoices/${encodeURIComponent(route.id)}`;
    case 'payment-return': {
      const query = new URLSearchParams({
        invoice: route.invoiceId,
        status: route.status,
      });
      return `/payments/return?${query.toString()}`;
    }
    case 'not-found':
      return route.path;
    default:
      return `/${route.name}`;
  }
}

function paymentOutcome(value: string | null): PaymentOutcome {
  return value === 'success' || value === 'cancel' ? value : 'unknown';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape: keep the raw text, which matches no record.
    return segment;
  }
}
