import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import { utcDate } from '@portico/engine/billing';
import type { PaymentOutcome } from '../app/routes.js';
import { routeUrl } from '../app/routes.js';
import { summarizeInvoice } from '../ui/billing.js';
import { baseStyles } from '../ui/styles.js';
import { statusBadge } from './status-badge.js';

/**
 * The page the payment provider sends the client back to. The provider's
 * `status=success` only means the checkout finished: the invoice counts as
 * paid once the relay records the payment and it syncs here, so the page
 * shows the live status and waits for it.
 */
@customElement('portal-payment-return')
export class PaymentReturnView extends LitElement {
  static override styles = [baseStyles];

  @property() outcome: PaymentOutcome = 'unknown';
  @property({ attribute: false }) invoice: PortalInvoice | undefined;
  @property({ attribute: false }) payments: PortalPayment[] = [];

  override render() {
    return html`
      <h1>Payment</h1>
      <div class="card">${this.renderOutcome()} ${this.renderInvoice()}</div>
    `;
  }

  private renderOutcome() {
    switch (this.outcome) {
      case 'success':
        return html`<p role="status">
          Thank you. Your payment was submitted.
        </p>`;
      case 'cancel':
        return html`<p role="status">
          The payment was cancelled and nothing was charged. You can try again
          from the invoice.
        </p>`;
      default:
        return html`<p role="status">
          The payment provider did not say how the payment went. Check the
          invoice status below.
        </p>`;
    }
  }

  private renderInvoice() {
    const invoice = this.invoice;
    if (invoice === undefined) {
      return html`<p><a href="/invoices">See your invoices</a></p>`;
    }
    const summary = summarizeInvoice(invoice, this.payments, utcDate());
    const waiting = this.outcome === 'success' && summary.status !== 'paid';
    return html`
      <p>Invoice ${invoice.number}: ${statusBadge(summary.status)}</p>
      ${
        waiting
          ? html`<p class="muted" aria-live="polite">
              Waiting for your firm's records to show the payment. This page
              updates by itself.
            </p>`
          : nothing
      }
      <p>
        <a href=${routeUrl({ name: 'invoice', id: invoice.id })}
          >View invoice ${invoice.number}</a
        >
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-payment-return': PaymentReturnView;
  }
}
