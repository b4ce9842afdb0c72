import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import { utcDate } from '@portico/engine/billing';
import { startPayment } from '../api/portal.js';
import {
  isPayable,
  lineAmount,
  summarizeInvoice,
  type InvoiceSummary,
} from '../ui/billing.js';
import { formatDate, formatMoney } from '../ui/format.js';
import { messageOf } from '../ui/messages.js';
import { baseStyles } from '../ui/styles.js';
import { statusBadge } from './status-badge.js';

/** One invoice with its lines, totals, due date, status and Pay button. */
@customElement('portal-invoice')
export class InvoiceView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 1rem;
        margin: 0 0 1rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      .table-wrap {
        overflow-x: auto;
      }
      tfoot th {
        text-align: right;
        color: inherit;
      }
      .pay {
        margin-top: 1rem;
        display: grid;
        gap: 0.5rem;
        justify-items: start;
      }
    `,
  ];

  /** Undefined while the replica has no invoice with the requested id. */
  @property({ attribute: false }) invoice: PortalInvoice | undefined;
  @property({ attribute: false }) payments: PortalPayment[] = [];
  @property({ type: Boolean }) allowPayments = false;
  @property({ type: Boolean }) offline = false;

  @state() private paying = false;
  @state() private error = '';

  override render() {
    const invoice = this.invoice;
    if (invoice === undefined) {
      return html`<h1>Invoice not found</h1>
        <p>
          This invoice is not in your portal. It may have been withdrawn by your
          firm.
        </p>
        <p><a href="/invoices">All invoices</a></p>`;
    }
    const summary = summarizeInvoice(invoice, this.payments, utcDate());
    return html`
      <p><a href="/invoices">← All invoices</a></p>
      <h1>Invoice ${invoice.number}</h1>
      <div class="card">
        <dl>
          <dt>Status</dt>
          <dd>${statusBadge(summary.status)}</dd>
          <dt>Issued</dt>
          <dd>${formatDate(invoice.issueDate)}</dd>
          <dt>Due</dt>
          <dd>${formatDate(invoice.dueDate)}</dd>
        </dl>
        ${
          summary.problem
            ? html`<p class="error">
                This invoice has data the portal cannot read
                (${summary.problem}). Contact your firm.
              </p>`
            : nothing
        }
        ${this.renderLines(invoice, summary)} ${this.renderPay(summary)}
      </div>
    `;
  }

  private renderLines(invoice: PortalInvoice, summary: InvoiceSummary) {
    const money = (amount: number) => formatMoney(amount, invoice.currency);
    const balance = summary.balance;
    return html`<div class="table-wrap">
      <table>
        <caption class="visually-hidden">
          Lines of invoice ${invoice.number}
        </caption>
        <thead>
          <tr>
            <th scope="col">Description</th>
            <th scope="col" class="number">Quantity</th>
            <th scope="col" class="number">Unit price</th>
            <th scope="col" class="number">Amount</th>
          </tr>
        </thead>
        <tbody>
          ${invoice.lines.map((line, index) => {
            const amount = lineAmount(line, index);
            return html`<tr>
              <td>${line.description}</td>
              <td class="number">${line.quantity}</td>
              <td class="number">${money(line.unitAmount)}</td>
              <td class="number">
                ${amount === undefined ? '–' : money(amount)}
              </td>
            </tr>`;
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan="3">Total</th>
            <td class="number" data-total>${money(invoice.total)}</td>
          </tr>
          ${
            balance && balance.paid !== 0
              ? html`<tr>
                  <th scope="row" colspan="3">Paid</th>
                  <td class="number">${money(balance.paid)}</td>
                </tr>`
              : nothing
          }
          ${
            balance
              ? html`<tr>
                  <th scope="row" colspan="3">
                    ${balance.balance < 0 ? 'Credit' : 'Balance due'}
                  </th>
                  <td class="number" data-balance>
                    ${money(Math.abs(balance.balance))}
                  </td>
                </tr>`
              : nothing
          }
        </tfoot>
      </table>
    </div>`;
  }

  private renderPay(summary: InvoiceSummary) {
    if (!this.allowPayments || !isPayable(summary)) return nothing;
    const due = formatMoney(
      summary.balance?.balance ?? 0,
      summary.invoice.currency,
    );
    return html`<div class="pay">
      <button
        type="button"
        ?disabled=${this.paying || this.offline}
        @click=${() => void this.pay()}
      >
        ${this.paying ? 'Opening payment…' : `Pay ${due}`}
      </button>
      ${
        this.offline
          ? html`<p class="muted">Paying needs a connection.</p>`
          : nothing
      }
      ${
        this.error
          ? html`<p class="error" role="alert">${this.error}</p>`
          : nothing
      }
    </div>`;
  }

  private async pay(): Promise<void> {
    const invoice = this.invoice;
    if (invoice === undefined) return;
    this.paying = true;
    this.error = '';
    try {
      const url = await startPayment(invoice.id);
      location.assign(url);
    } catch (error) {
      this.error = messageOf(error);
      this.paying = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-invoice': InvoiceView;
  }
}
