import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PortalInvoice, PortalPayment } from '@portico/engine';
import { utcDate } from '@portico/engine/billing';
import { ApiError } from '../api/http.js';
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
      .per-unit {
        display: none;
      }
      /* Phones: quantity and unit price move under the description, so
         the amount stays in view without scrolling sideways. */
      @media (max-width: 540px) {
        .wide {
          display: none;
        }
        .per-unit {
          display: block;
          font-size: 0.9rem;
        }
      }
      .totals {
        grid-template-columns: auto auto;
        margin: 0.75rem 0 0;
        justify-content: end;
        text-align: right;
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
          This invoice is not in your portal. Right after you log in it may
          still be on its way, so wait a moment. Otherwise your firm may have
          withdrawn it.
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
              <th scope="col" class="number wide">Quantity</th>
              <th scope="col" class="number wide">Unit price</th>
              <th scope="col" class="number">Amount</th>
            </tr>
          </thead>
          <tbody>
            ${invoice.lines.map((line, index) => {
              const amount = lineAmount(line, index);
              return html`<tr>
                <td>
                  ${line.description}
                  <span class="per-unit muted"
                    >${line.quantity} × ${money(line.unitAmount)}</span
                  >
                </td>
                <td class="number wide">${line.quantity}</td>
                <td class="number wide">${money(line.unitAmount)}</td>
                <td class="number">
                  ${amount === undefined ? '–' : money(amount)}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <dl class="totals">
        <dt>Total</dt>
        <dd class="number" data-total>${money(invoice.total)}</dd>
        ${
          balance && balance.paid !== 0
            ? html`<dt>Paid</dt>
                <dd class="number">${money(balance.paid)}</dd>`
            : nothing
        }
        ${
          balance
            ? html`<dt>${balance.balance < 0 ? 'Credit' : 'Balance due'}</dt>
                <dd class="number" data-balance>
                  ${money(Math.abs(balance.balance))}
                </dd>`
            : nothing
        }
      </dl>`;
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
      this.error = payErrorMessage(error);
      this.paying = false;
    }
  }
}

/**
 * Returns the message for a failed payment start. The relay's text for a
 * missing payment provider is meant for its operator, so the client gets
 * a plain one instead.
 */
function payErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === 'payments_not_configured') {
    return (
      'Online payment is not available right now. Contact your firm to ' +
      'pay this invoice.'
    );
  }
  return messageOf(error);
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-invoice': InvoiceView;
  }
}
