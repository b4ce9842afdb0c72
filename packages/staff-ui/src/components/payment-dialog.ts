/** The form that records a received payment, optionally for an invoice. */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { PaymentDraft } from '../engine/billing-actions.js';
import { messageOf } from '../engine/portal-actions.js';
import type { Contact, Invoice, Workspace } from '../engine/workspace.js';
import { baseStyles } from '../ui/styles.js';

type TextField = Exclude<keyof PaymentDraft, 'invoiceId'>;

@customElement('portico-payment-dialog')
export class PaymentDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: 0 1rem;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  /** Invoices a payment can be for: issued ones of this contact. */
  @property({ attribute: false }) invoices: Invoice[] = [];
  @state() private draft: PaymentDraft = emptyDraft();
  @state() private error = '';
  @state() private busy = false;
  @query('dialog') private dialog!: HTMLDialogElement;

  async show(): Promise<void> {
    this.draft = emptyDraft();
    this.error = '';
    this.dialog.showModal();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#invoiceId')?.focus();
  }

  override render() {
    return html`<dialog aria-labelledby="payment-heading">
      <h2 id="payment-heading">Record payment</h2>
      <form
        novalidate
        @submit=${(event: SubmitEvent) => void this.onSave(event)}
      >
        <div class="field">
          <label for="invoiceId">For invoice</label>
          <select
            id="invoiceId"
            .value=${this.draft.invoiceId}
            @change=${(event: Event) => this.onInvoice(event)}
          >
            <option value="">No invoice</option>
            ${this.invoices.map(
              (invoice) =>
                html`<option value=${invoice.id}>${invoice.number}</option>`,
            )}
          </select>
        </div>
        <div class="grid">
          ${this.renderField('amount', 'Amount', 'text')}
          ${this.renderField('currency', 'Currency (ISO 4217)', 'text')}
          ${this.renderField('receivedOn', 'Received on', 'date')}
          ${this.renderField('method', 'Method', 'text')}
          ${this.renderField('reference', 'Reference', 'text')}
        </div>
        ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>
            Record payment
          </button>
          <button type="button" @click=${() => this.dialog.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>`;
  }

  private renderField(name: TextField, label: string, type: string) {
    return html`<div class="field">
      <label for=${name}>${label}</label>
      <input
        id=${name}
        type=${type}
        .value=${this.draft[name]}
        @input=${(event: InputEvent) =>
          (this.draft = {
            ...this.draft,
            [name]: (event.target as HTMLInputElement).value,
          })}
      />
    </div>`;
  }

  /** Takes the currency from the chosen invoice, which must match it. */
  private onInvoice(event: Event): void {
    const invoiceId = (event.target as HTMLSelectElement).value;
    const invoice = this.invoices.find((i) => i.id === invoiceId);
    this.draft = {
      ...this.draft,
      invoiceId,
      ...(invoice ? { currency: invoice.currency } : {}),
    };
  }

  private async onSave(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.busy = true;
    this.error = '';
    try {
      await this.workspace.billing.recordPayment(this.contact.id, this.draft);
      this.dialog.close();
    } catch (error) {
      this.error = `Recording the payment failed: ${messageOf(error)}`;
    } finally {
      this.busy = false;
    }
  }
}

function emptyDraft(): PaymentDraft {
  return {
    amount: '',
    currency: 'EUR',
    receivedOn: new Date().toISOString().slice(0, 10),
    method: 'Bank transfer',
    reference: '',
    invoiceId: '',
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-payment-dialog': PaymentDialog;
  }
}
