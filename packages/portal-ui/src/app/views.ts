/** Maps each route to its view element and its page title. */
import { html } from 'lit';
import type { PortalSnapshot } from '../engine/portal-data.js';
import type { Route } from './routes.js';
import '../views/files-view.js';
import '../views/forgot-view.js';
import '../views/invoice-view.js';
import '../views/invoices-view.js';
import '../views/login-view.js';
import '../views/password-view.js';
import '../views/payment-return-view.js';
import '../views/payments-view.js';

export function renderRoute(
  route: Route,
  snapshot: PortalSnapshot,
  offline: boolean,
) {
  switch (route.name) {
    case 'login':
      return html`<portal-login></portal-login>`;
    case 'forgot-password':
      return html`<portal-forgot-password></portal-forgot-password>`;
    case 'reset':
      return html`<portal-password
        mode="reset"
        .token=${route.token}
      ></portal-password>`;
    case 'change-password':
      return html`<portal-password
        mode="change"
        .email=${snapshot.profile?.email ?? ''}
      ></portal-password>`;
    case 'files':
      return html`<portal-files
        .files=${snapshot.files}
        ?offline=${offline}
      ></portal-files>`;
    case 'invoices':
      return html`<portal-invoices
        .invoices=${snapshot.invoices}
        .payments=${snapshot.payments}
      ></portal-invoices>`;
    case 'invoice':
      return html`<portal-invoice
        .invoice=${findById(snapshot.invoices, route.id)}
        .payments=${snapshot.payments}
        ?allowPayments=${snapshot.settings?.allowPayments ?? false}
        ?offline=${offline}
      ></portal-invoice>`;
    case 'payments':
      return html`<portal-payments
        .payments=${snapshot.payments}
        .invoices=${snapshot.invoices}
      ></portal-payments>`;
    case 'payment-return':
      return html`<portal-payment-return
        .outcome=${route.status}
        .invoice=${findById(snapshot.invoices, route.invoiceId)}
        .payments=${snapshot.payments}
      ></portal-payment-return>`;
    case 'not-found':
      return html`<h1>Page not found</h1>
        <p>There is no page at ${route.path}.</p>
        <p><a href="/">Go to your files</a></p>`;
  }
}

export function routeTitle(route: Route): string {
  switch (route.name) {
    case 'login':
      return 'Log in';
    case 'forgot-password':
      return 'Forgot password';
    case 'reset':
      return 'Reset password';
    case 'change-password':
      return 'Choose your password';
    case 'files':
      return 'Files';
    case 'invoices':
      return 'Invoices';
    case 'invoice':
      return 'Invoice';
    case 'payments':
      return 'Payments';
    case 'payment-return':
      return 'Payment';
    case 'not-found':
      return 'Page not found';
  }
}

function findById<T extends { id: string }>(rows: readonly T[], id: string) {
  return rows.find((row) => row.id === id);
}
