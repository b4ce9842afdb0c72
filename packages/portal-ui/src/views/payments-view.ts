import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import { routeUrl } from '../app/routes.js';
import { formatDateTime, formatMoney } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

/** The payments the firm published, newest first. */
@customElement('portal-payments')
export class PaymentsView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .payment {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.25rem 1rem;
      }
      .payment .amount {
        font-weight: 600;
      }
      .payment .meta {
        grid-column: 1 / -1;
      }
    `,
  ];

  @property({ attribute: false }) payments: PortalPayment[] = [];
  @property({ attribute: false }) invoices: PortalInvoice[] = [];

  override render() {
    return html`
      <h1>Payments</h1>
      ${
        this.payments.length === 0
          ? html`<p class="muted">No payments yet.</p>`
          : html`<ul class="stack" aria-label="Payments">
              ${this.payments.map((payment) => this.renderPayment(payment))}
            </ul>`
      }
    `;
  }

  private renderPayment(payment: PortalPayment) {
    const invoice = this.invoices.find((row) => row.id === payment.invoiceId);
    return html`<li class="card payment" data-payment-id=${payment.id}>
      <span>${formatDateTime(payment.receivedAt)}</span>
      <span class="amount number"
        >${formatMoney(payment.amount, payment.currency)}</span
      >
      <div class="meta muted">
        ${payment.method}
        ${payment.reference ? html`· Reference ${payment.reference}` : nothing}
        ${
          invoice
            ? html`· For
                <a href=${routeUrl({ name: 'invoice', id: invoice.id })}
                  >invoice ${invoice.number}</a
                >`
            : nothing
        }
      </div>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-payments': PaymentsView;
  }
}
