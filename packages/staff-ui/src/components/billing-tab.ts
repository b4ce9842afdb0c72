/**
 * The Billing tab: the contact's invoices and payments, with amounts in
 * the locale's currency format. Editing and publishing arrive with the
 * engine's billing operations, so those controls are disabled for now.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  formatMoney,
  type Contact,
  type Invoice,
  type Payment,
  type Workspace,
} from '../engine/workspace.js';
import { formatDate } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

type View = 'invoices' | 'payments';

const NOT_YET = 'Not available yet in this version.';

const INVOICE_STATUS: Record<Invoice['status'], string> = {
  draft: 'Draft',
  issued: 'Issued',
  void: 'Void',
};

@customElement('portico-billing-tab')
export class BillingTab extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .toolbar {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        margin-bottom: 0.75rem;
        flex-wrap: wrap;
      }
      .switch button[aria-pressed='true'] {
        background: var(--selected-bg);
        border-color: var(--accent);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private view: View = 'invoices';
  @state() private invoices: Invoice[] = [];
  @state() private payments: Payment[] = [];
  private stops: (() => void)[] = [];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('contact') || changed.has('workspace')) this.watch();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && this.stops.length === 0) this.watch();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwatch();
  }

  override render() {
    return html`
      <div class="toolbar">
        <div class="actions switch" role="group" aria-label="Billing view">
          ${this.renderSwitch('invoices', 'Invoices')}
          ${this.renderSwitch('payments', 'Payments')}
        </div>
        ${this.renderActions()}
      </div>
      ${this.view === 'invoices' ? this.renderInvoices() : this.renderPayments()}
    `;
  }

  private renderSwitch(view: View, label: string) {
    return html`<button
      aria-pressed=${this.view === view ? 'true' : 'false'}
      @click=${() => (this.view = view)}
    >
      ${label}
    </button>`;
  }

  // TODO: invoice drafts (create, edit, issue, void), recording payments,
  // "Upload Selected Invoice" and "Upload to Portal", once the engine has
  // the billing operations (features.billing).
  private renderActions() {
    const enabled = this.workspace.features.billing;
    const labels =
      this.view === 'invoices'
        ? ['New invoice', 'Upload Selected Invoice']
        : ['Record payment', 'Upload to Portal'];
    return html`<div class="actions">
      ${labels.map(
        (label) =>
          html`<button ?disabled=${!enabled} aria-describedby="billing-hint">
            ${label}
          </button>`,
      )}
      <span class="hint" id="billing-hint">${enabled ? '' : NOT_YET}</span>
    </div>`;
  }

  private renderInvoices() {
    if (this.invoices.length === 0) {
      return html`<p class="hint">No invoices for this contact yet.</p>`;
    }
    return html`<table>
      <caption class="visually-hidden">
        Invoices of ${this.contact.displayName}
      </caption>
      <thead>
        <tr>
          <th scope="col">Number</th>
          <th scope="col">Issued</th>
          <th scope="col">Due</th>
          <th scope="col" class="number">Total</th>
          <th scope="col">Status</th>
          <th scope="col">On portal</th>
        </tr>
      </thead>
      <tbody>
        ${this.invoices.map(
          (invoice) =>
            html`<tr>
              <td>${invoice.number}</td>
              <td>${formatDate(invoice.issueDate)}</td>
              <td>${formatDate(invoice.dueDate)}</td>
              <td class="number">${money(invoice.total, invoice.currency)}</td>
              <td>${INVOICE_STATUS[invoice.status]}</td>
              <td>
                ${invoice.publishedAt ? formatDate(invoice.publishedAt) : 'No'}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderPayments() {
    if (this.payments.length === 0) {
      return html`<p class="hint">No payments for this contact yet.</p>`;
    }
    return html`<table>
      <caption class="visually-hidden">
        Payments of ${this.contact.displayName}
      </caption>
      <thead>
        <tr>
          <th scope="col">Received</th>
          <th scope="col" class="number">Amount</th>
          <th scope="col">Method</th>
          <th scope="col">Reference</th>
          <th scope="col">On portal</th>
        </tr>
      </thead>
      <tbody>
        ${this.payments.map(
          (payment) =>
            html`<tr>
              <td>${formatDate(payment.receivedAt)}</td>
              <td class="number">${money(payment.amount, payment.currency)}</td>
              <td>${payment.method}</td>
              <td>${payment.reference ?? ''}</td>
              <td>
                ${payment.publishedAt ? formatDate(payment.publishedAt) : 'No'}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private watch(): void {
    this.unwatch();
    const id = this.contact.id;
    this.stops = [
      this.workspace.watchInvoices(id, (rows) => (this.invoices = rows)),
      this.workspace.watchPayments(id, (rows) => (this.payments = rows)),
    ];
  }

  private unwatch(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
  }
}

/** Formats an amount; a currency unknown to the app shows as code and units. */
function money(amount: number, currency: string): string {
  try {
    return formatMoney(amount, currency);
  } catch {
    return `${currency} ${amount} (minor units)`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-billing-tab': BillingTab;
  }
}
