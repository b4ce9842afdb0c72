import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import { utcDate } from '@portico/engine/billing';
import { routeUrl } from '../app/routes.js';
import { summarizeInvoice } from '../ui/billing.js';
import { formatDate, formatMoney } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import { statusBadge } from './status-badge.js';

/** The published invoices, newest first, with their derived status. */
@customElement('portal-invoices')
export class InvoicesView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .invoice {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.25rem 1rem;
      }
      .invoice a {
        font-weight: 600;
      }
      .invoice .meta {
        grid-column: 1 / -1;
      }
    `,
  ];

  @property({ attribute: false }) invoices: PortalInvoice[] = [];
  @property({ attribute: false }) payments: PortalPayment[] = [];

  override render() {
    const today = utcDate();
    return html`
      <h1>Invoices</h1>
      ${
        this.invoices.length === 0
          ? html`<p class="muted">No invoices yet.</p>`
          : html`<ul class="stack" aria-label="Invoices">
              ${this.invoices.map((invoice) => {
                const summary = summarizeInvoice(invoice, this.payments, today);
                const balance = summary.balance;
                return html`<li
                  class="card invoice"
                  data-invoice-id=${invoice.id}
                >
                  <a href=${routeUrl({ name: 'invoice', id: invoice.id })}
                    >Invoice ${invoice.number}</a
                  >
                  ${statusBadge(summary.status)}
                  <div class="meta muted">
                    Due ${formatDate(invoice.dueDate)} ·
                    ${formatMoney(invoice.total, invoice.currency)}
                    ${
                      balance && balance.balance > 0 && balance.paid !== 0
                        ? html`·
                          ${formatMoney(balance.balance, invoice.currency)} to
                          pay`
                        : ''
                    }
                  </div>
                </li>`;
              })}
            </ul>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-invoices': InvoicesView;
  }
}
