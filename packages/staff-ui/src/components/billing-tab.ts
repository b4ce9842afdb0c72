/**
 * The Billing tab: the Invoices view (drafts, issue, void, Upload Selected
 * Invoice) and the Payments view (record, Upload to Portal), amounts in
 * the locale's currency format, and the client's online payment setting.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type {
  ClientPaymentSettings,
  InvoiceStatus,
} from '../engine/billing-actions.js';
import { messageOf } from '../engine/portal-actions.js';
import {
  formatMoney,
  type Contact,
  type Invoice,
  type Payment,
  type Workspace,
} from '../engine/workspace.js';
import { formatDate } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import type { InvoiceDialog } from './invoice-dialog.js';
import './invoice-dialog.js';
import type { PaymentDialog } from './payment-dialog.js';
import './payment-dialog.js';

type View = 'invoices' | 'payments';

const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  open: 'Open',
  'partly-paid': 'Partly paid',
  paid: 'Paid',
  overdue: 'Overdue',
  void: 'Void',
};

/** Values of the online payments select; `firm` follows the firm default. */
type PaymentsChoice = 'firm' | 'allow' | 'deny';

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
      input[type='radio'] {
        width: auto;
      }
      td.actions {
        display: table-cell;
      }
      td.actions button + button {
        margin-left: 0.35rem;
      }
      .setting {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        flex-wrap: wrap;
        margin-bottom: 1rem;
      }
      .setting label {
        margin: 0;
      }
      .setting select {
        width: auto;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private view: View = 'invoices';
  @state() private invoices: Invoice[] = [];
  @state() private payments: Payment[] = [];
  @state() private selectedInvoice: string | undefined;
  @state() private selectedPayment: string | undefined;
  @state() private paymentSettings: ClientPaymentSettings | undefined;
  @state() private notice = '';
  @state() private error = '';
  @state() private voiding: Invoice | undefined;
  @query('portico-invoice-dialog') private invoiceDialog!: InvoiceDialog;
  @query('portico-payment-dialog') private paymentDialog!: PaymentDialog;
  @query('#void-dialog') private voidDialog!: HTMLDialogElement;
  private stops: (() => void)[] = [];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('contact') || changed.has('workspace')) {
      const previous = changed.get('contact') as Contact | undefined;
      if (previous?.id !== this.contact.id || changed.has('workspace')) {
        this.watch();
      }
      void this.loadPaymentSettings();
    }
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
      ${this.renderPaymentSetting()}
      <div class="toolbar">
        <div class="actions switch" role="group" aria-label="Billing view">
          ${this.renderSwitch('invoices', 'Invoices')}
          ${this.renderSwitch('payments', 'Payments')}
        </div>
        ${
          this.view === 'invoices'
            ? this.renderInvoiceActions()
            : this.renderPaymentActions()
        }
      </div>
      <p role="status">${this.notice}</p>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
      ${this.view === 'invoices' ? this.renderInvoices() : this.renderPayments()}
      <portico-invoice-dialog
        .workspace=${this.workspace}
        .contact=${this.contact}
      ></portico-invoice-dialog>
      <portico-payment-dialog
        .workspace=${this.workspace}
        .contact=${this.contact}
        .invoices=${this.invoices.filter((i) => i.status === 'issued')}
      ></portico-payment-dialog>
      ${this.renderVoidDialog()}
    `;
  }

  private renderSwitch(view: View, label: string) {
    return html`<button
      aria-pressed=${this.view === view ? 'true' : 'false'}
      @click=${() => this.switchTo(view)}
    >
      ${label}
    </button>`;
  }

  private renderPaymentSetting() {
    if (this.contact.portal.status === 'none') {
      return html`<p class="hint setting">
        Online payments: sync the contact to the portal first.
      </p>`;
    }
    const settings = this.paymentSettings;
    if (settings === undefined) return null;
    const choice: PaymentsChoice =
      settings.override === undefined
        ? 'firm'
        : settings.override
          ? 'allow'
          : 'deny';
    return html`<div class="setting">
      <label for="allow-payments">Online payments</label>
      <select
        id="allow-payments"
        .value=${choice}
        aria-describedby="allow-payments-hint"
        @change=${(event: Event) => void this.onPaymentsChoice(event)}
      >
        <option value="firm">Firm default</option>
        <option value="allow">Allow online payments</option>
        <option value="deny">Do not allow online payments</option>
      </select>
      <span class="hint" id="allow-payments-hint">
        ${
          settings.allowPayments
            ? 'The client can pay invoices online.'
            : 'The client cannot pay online.'
        }
      </span>
    </div>`;
  }

  private renderInvoiceActions() {
    return html`<div class="actions">
      <button @click=${() => void this.newInvoice()}>New invoice</button>
      <button
        ?disabled=${this.selectedInvoice === undefined}
        @click=${() => void this.publishInvoice()}
      >
        Upload Selected Invoice
      </button>
    </div>`;
  }

  private renderPaymentActions() {
    return html`<div class="actions">
      <button @click=${() => void this.paymentDialog.show()}>
        Record payment
      </button>
      <button
        ?disabled=${this.selectedPayment === undefined}
        @click=${() => void this.publishPayment()}
      >
        Upload to Portal
      </button>
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
          <th scope="col"><span class="visually-hidden">Selected</span></th>
          <th scope="col">Number</th>
          <th scope="col">Issued</th>
          <th scope="col">Due</th>
          <th scope="col" class="number">Total</th>
          <th scope="col">Status</th>
          <th scope="col">On portal</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${this.invoices.map((invoice) => this.renderInvoice(invoice))}
      </tbody>
    </table>`;
  }

  private renderInvoice(invoice: Invoice) {
    const label = `invoice ${invoice.number}`;
    return html`<tr>
      <td>
        <input
          type="radio"
          name="invoice"
          aria-label="Select ${label}"
          .checked=${this.selectedInvoice === invoice.id}
          @change=${() => (this.selectedInvoice = invoice.id)}
        />
      </td>
      <td>${invoice.number}</td>
      <td>${formatDate(invoice.issueDate)}</td>
      <td>${formatDate(invoice.dueDate)}</td>
      <td class="number">${money(invoice.total, invoice.currency)}</td>
      <td>${this.statusLabel(invoice)}</td>
      <td>${invoice.publishedAt ? formatDate(invoice.publishedAt) : 'No'}</td>
      <td class="actions">
        ${
          invoice.status === 'draft'
            ? html`<button
                  aria-label="Edit ${label}"
                  @click=${() => void this.invoiceDialog.show(invoice)}
                >
                  Edit
                </button>
                <button
                  aria-label="Issue ${label}"
                  @click=${() => void this.issue(invoice)}
                >
                  Issue
                </button>`
            : null
        }
        ${
          invoice.status !== 'void'
            ? html`<button
                class="danger"
                aria-label="Void ${label}"
                @click=${() => this.askVoid(invoice)}
              >
                Void
              </button>`
            : null
        }
      </td>
    </tr>`;
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
          <th scope="col"><span class="visually-hidden">Selected</span></th>
          <th scope="col">Received</th>
          <th scope="col" class="number">Amount</th>
          <th scope="col">Invoice</th>
          <th scope="col">Method</th>
          <th scope="col">Reference</th>
          <th scope="col">On portal</th>
        </tr>
      </thead>
      <tbody>
        ${this.payments.map((payment) => this.renderPayment(payment))}
      </tbody>
    </table>`;
  }

  private renderPayment(payment: Payment) {
    const amount = money(payment.amount, payment.currency);
    const invoice = this.invoices.find((i) => i.id === payment.invoiceId);
    return html`<tr>
      <td>
        <input
          type="radio"
          name="payment"
          aria-label="Select payment of ${amount} on ${formatDate(payment.receivedAt)}"
          .checked=${this.selectedPayment === payment.id}
          @change=${() => (this.selectedPayment = payment.id)}
        />
      </td>
      <td>${formatDate(payment.receivedAt)}</td>
      <td class="number">${amount}</td>
      <td>${invoice?.number ?? ''}</td>
      <td>${payment.method}</td>
      <td>${payment.reference ?? ''}</td>
      <td>${payment.publishedAt ? formatDate(payment.publishedAt) : 'No'}</td>
    </tr>`;
  }

  private renderVoidDialog() {
    const number = this.voiding?.number ?? '';
    return html`<dialog id="void-dialog" aria-labelledby="void-heading">
      <h3 id="void-heading">Void invoice ${number}?</h3>
      <p>
        A void invoice cannot be issued or changed again. When it is on the
        portal, the client sees it as void.
      </p>
      <div class="actions">
        <button class="danger" @click=${() => void this.voidInvoice()}>
          Void invoice
        </button>
        <button autofocus @click=${() => this.voidDialog.close()}>
          Keep invoice
        </button>
      </div>
    </dialog>`;
  }

  private statusLabel(invoice: Invoice): string {
    const payments = this.payments.filter((p) => p.publishedAt !== undefined);
    try {
      return STATUS_LABELS[this.workspace.billing.statusOf(invoice, payments)];
    } catch {
      return invoice.status;
    }
  }

  private switchTo(view: View): void {
    this.view = view;
    this.notice = '';
    this.error = '';
  }

  // Actions -----------------------------------------------------------------

  private async newInvoice(): Promise<void> {
    const numbers = this.invoices.map((i) => Number.parseInt(i.number, 10));
    const next = Math.max(0, ...numbers.filter(Number.isFinite)) + 1;
    await this.invoiceDialog.show(undefined, next);
  }

  private async issue(invoice: Invoice): Promise<void> {
    await this.run(async () => {
      await this.workspace.billing.issueInvoice(invoice.id);
      return `Invoice ${invoice.number} is issued.`;
    });
  }

  private askVoid(invoice: Invoice): void {
    this.voiding = invoice;
    this.voidDialog.showModal();
  }

  private async voidInvoice(): Promise<void> {
    const invoice = this.voiding;
    this.voidDialog.close();
    if (invoice === undefined) return;
    await this.run(async () => {
      await this.workspace.billing.voidInvoice(invoice.id);
      return `Invoice ${invoice.number} is void.`;
    });
  }

  private async publishInvoice(): Promise<void> {
    const invoice = this.invoices.find((i) => i.id === this.selectedInvoice);
    if (invoice === undefined) return;
    await this.run(async () => {
      await this.workspace.billing.publishInvoice(invoice.id);
      return `Invoice ${invoice.number} is on the client portal.`;
    });
  }

  private async publishPayment(): Promise<void> {
    const id = this.selectedPayment;
    if (id === undefined) return;
    await this.run(async () => {
      await this.workspace.billing.publishPayment(id);
      return 'The payment is on the client portal.';
    });
  }

  private async onPaymentsChoice(event: Event): Promise<void> {
    const choice = (event.target as HTMLSelectElement).value as PaymentsChoice;
    const allow = choice === 'firm' ? null : choice === 'allow';
    await this.run(async () => {
      this.paymentSettings = await this.workspace.billing.setAllowPayments(
        this.contact.id,
        allow,
      );
      return this.paymentSettings.allowPayments
        ? 'Online payments are allowed for this client.'
        : 'Online payments are off for this client.';
    });
  }

  /** Runs an action and shows its outcome above the table. */
  private async run(action: () => Promise<string>): Promise<void> {
    this.notice = '';
    this.error = '';
    try {
      this.notice = await action();
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  private async loadPaymentSettings(): Promise<void> {
    const contactId = this.contact.id;
    if (this.contact.portal.status === 'none') {
      this.paymentSettings = undefined;
      return;
    }
    try {
      const settings = await this.workspace.billing.paymentSettings(contactId);
      if (contactId === this.contact.id) this.paymentSettings = settings;
    } catch {
      // The portal doc may not have reached this device yet.
      this.paymentSettings = undefined;
    }
  }

  private watch(): void {
    this.unwatch();
    this.selectedInvoice = undefined;
    this.selectedPayment = undefined;
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
