/**
 * The invoice editor: a draft's number, dates, currency and lines, with
 * line totals and the invoice total computed as staff type.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  draftOf,
  previewTotal,
  type InvoiceDraft,
  type LineDraft,
} from '../engine/billing-actions.js';
import { messageOf } from '../engine/portal-actions.js';
import {
  formatMoney,
  type Contact,
  type Invoice,
  type Workspace,
} from '../engine/workspace.js';
import { baseStyles } from '../ui/styles.js';

const DEFAULT_CURRENCY = 'EUR';
const DEFAULT_TERM_DAYS = 30;

@customElement('portico-invoice-dialog')
export class InvoiceDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog {
        max-width: min(56rem, 94vw);
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(4, minmax(0, 1fr));
        gap: 0 1rem;
      }
      td {
        vertical-align: middle;
      }
      td input {
        min-width: 4rem;
      }
      .total {
        font-weight: 600;
        text-align: right;
        margin: 0.5rem 0 1rem;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private editing: Invoice | undefined;
  @state() private draft: InvoiceDraft = emptyDraft(1);
  @state() private error = '';
  @state() private busy = false;
  @query('dialog') private dialog!: HTMLDialogElement;

  /** Opens the editor for a new draft, or for an existing one. */
  async show(invoice?: Invoice, nextNumber = 1): Promise<void> {
    this.editing = invoice;
    this.draft = invoice ? draftOf(invoice) : emptyDraft(nextNumber);
    this.error = '';
    this.dialog.showModal();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#number')?.focus();
  }

  override render() {
    const title = this.editing
      ? `Edit invoice ${this.editing.number}`
      : 'New invoice';
    return html`<dialog aria-labelledby="invoice-heading">
      <h2 id="invoice-heading">${title}</h2>
      <form
        novalidate
        @submit=${(event: SubmitEvent) => void this.onSave(event)}
      >
        <div class="grid">
          ${this.renderField('number', 'Number', 'text')}
          ${this.renderField('issueDate', 'Issue date', 'date')}
          ${this.renderField('dueDate', 'Due date', 'date')}
          ${this.renderField('currency', 'Currency (ISO 4217)', 'text')}
        </div>
        ${this.renderLines()}
        <p class="total" aria-live="polite">Total: ${this.totalText()}</p>
        ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>
            Save draft
          </button>
          <button type="button" @click=${() => this.dialog.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>`;
  }

  private renderField(
    name: 'number' | 'issueDate' | 'dueDate' | 'currency',
    label: string,
    type: string,
  ) {
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

  private renderLines() {
    return html`<table>
        <caption class="visually-hidden">
          Invoice lines
        </caption>
        <thead>
          <tr>
            <th scope="col">Description</th>
            <th scope="col" class="number">Quantity</th>
            <th scope="col" class="number">Unit price</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.draft.lines.map((line, index) => this.renderLine(line, index))}
        </tbody>
      </table>
      <button type="button" @click=${() => this.addLine()}>Add line</button>`;
  }

  private renderLine(line: LineDraft, index: number) {
    const n = index + 1;
    return html`<tr>
      <td>
        <input
          aria-label="Description of line ${n}"
          .value=${line.description}
          @input=${(e: InputEvent) => this.setLine(index, 'description', e)}
        />
      </td>
      <td>
        <input
          aria-label="Quantity of line ${n}"
          inputmode="decimal"
          .value=${line.quantity}
          @input=${(e: InputEvent) => this.setLine(index, 'quantity', e)}
        />
      </td>
      <td>
        <input
          aria-label="Unit price of line ${n}"
          inputmode="decimal"
          .value=${line.unitPrice}
          @input=${(e: InputEvent) => this.setLine(index, 'unitPrice', e)}
        />
      </td>
      <td>
        <button
          type="button"
          aria-label="Remove line ${n}"
          @click=${() => this.removeLine(index)}
        >
          Remove
        </button>
      </td>
    </tr>`;
  }

  /** Formats the total, or returns a hint while an input is invalid. */
  private totalText(): string {
    const total = previewTotal(this.draft);
    if (total === undefined) return 'check the currency and the lines';
    return formatMoney(total, this.draft.currency.toUpperCase());
  }

  private setLine(index: number, field: keyof LineDraft, event: InputEvent) {
    const value = (event.target as HTMLInputElement).value;
    const lines = this.draft.lines.map((line, i) =>
      i === index ? { ...line, [field]: value } : line,
    );
    this.draft = { ...this.draft, lines };
  }

  private addLine(): void {
    const lines = [...this.draft.lines, emptyLine()];
    this.draft = { ...this.draft, lines };
  }

  private removeLine(index: number): void {
    const lines = this.draft.lines.filter((_, i) => i !== index);
    this.draft = { ...this.draft, lines };
  }

  private async onSave(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.busy = true;
    this.error = '';
    try {
      const billing = this.workspace.billing;
      if (this.editing) {
        await billing.updateInvoice(this.editing.id, this.draft);
      } else {
        await billing.createInvoice(this.contact.id, this.draft);
      }
      this.dialog.close();
    } catch (error) {
      this.error = `Saving the invoice failed: ${messageOf(error)}`;
    } finally {
      this.busy = false;
    }
  }
}

function emptyLine(): LineDraft {
  return { description: '', quantity: '1', unitPrice: '' };
}

function emptyDraft(number: number): InvoiceDraft {
  const today = new Date();
  const due = new Date(today.getTime() + DEFAULT_TERM_DAYS * 86_400_000);
  return {
    number: String(number),
    issueDate: today.toISOString().slice(0, 10),
    dueDate: due.toISOString().slice(0, 10),
    currency: DEFAULT_CURRENCY,
    lines: [emptyLine()],
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-invoice-dialog': InvoiceDialog;
  }
}
