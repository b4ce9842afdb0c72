/**
 * The form that creates or edits a contact. It validates on submit, shows
 * each problem at its field and moves focus to the first one, then fires
 * `contact-save` with a draft the engine accepts.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Contact, ContactDraft } from '../engine/workspace.js';
import {
  draftFromForm,
  emptyForm,
  formFromContact,
  type ContactFormErrors,
  type ContactFormValues,
} from '../ui/contact-draft.js';
import { baseStyles } from '../ui/styles.js';

export class ContactSaveEvent extends Event {
  /**
   * `base` is the draft the form started from, so that a save writes only
   * the fields the user changed. It is undefined for a new contact, and
   * when the stored contact did not pass the form's checks.
   */
  constructor(
    readonly draft: ContactDraft,
    readonly base?: ContactDraft,
  ) {
    super('contact-save', { bubbles: true, composed: true });
  }
}

type TextField = Exclude<keyof ContactFormValues, 'kind'>;

@customElement('portico-contact-form')
export class ContactForm extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        column-gap: 1rem;
      }
      .wide {
        grid-column: 1 / -1;
      }
      fieldset {
        border: none;
        padding: 0;
        margin: 0 0 0.8rem;
      }
      legend {
        font-weight: 500;
        margin-bottom: 0.2rem;
      }
      .choice {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        margin-right: 1.25rem;
        font-weight: normal;
      }
      .choice input {
        width: auto;
      }
    `,
  ];

  /** The contact being edited; a new contact when undefined. */
  @property({ attribute: false }) contact: Contact | undefined;
  /** Label of the submit button. */
  @property() submitLabel = 'Save';
  /** An error from saving, shown above the buttons. */
  @property() saveError = '';
  @property({ type: Boolean }) busy = false;
  @state() private values: ContactFormValues = emptyForm();
  @state() private errors: ContactFormErrors = {};

  /** Id of the contact whose values the form was filled from. */
  private filledFrom: string | undefined;
  private filledValues: ContactFormValues = emptyForm();

  // The list emits fresh contact objects whenever any contact changes, such
  // as on a sync, so only a different contact refills the form. Typing in
  // progress survives other updates.
  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('contact') && this.contact?.id !== this.filledFrom) {
      this.reset();
    }
  }

  /** Fills the form from the contact, or empties it for a new one. */
  reset(): void {
    this.filledFrom = this.contact?.id;
    this.values = this.contact ? formFromContact(this.contact) : emptyForm();
    this.filledValues = this.values;
    this.errors = {};
  }

  /**
   * Shows a problem found outside the form, such as by Sync Contact, at
   * its field, and moves focus there.
   */
  async showFieldError(name: TextField, message: string): Promise<void> {
    this.errors = { ...this.errors, [name]: message };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${name}`)?.focus();
  }

  override render() {
    return html`
      <form
        novalidate
        @submit=${(event: SubmitEvent) => void this.onSubmit(event)}
      >
        <fieldset>
          <legend>Kind</legend>
          ${this.renderKind('person', 'Person')}
          ${this.renderKind('organization', 'Organization')}
        </fieldset>
        <div class="grid">
          ${this.renderField('displayName', 'Display name', 'wide')}
          ${this.renderField('givenName', 'Given name')}
          ${this.renderField('familyName', 'Family name')}
          ${this.renderField('organization', 'Organization', 'wide')}
          ${this.renderField('email', 'Email', '', 'email')}
          ${this.renderField('phone', 'Phone', '', 'tel')}
          ${this.renderArea('address', 'Address')}
          ${this.renderArea('notes', 'Notes')}
        </div>
        ${
          this.saveError
            ? html`<p class="field-error" role="alert">${this.saveError}</p>`
            : null
        }
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>
            ${this.submitLabel}
          </button>
          <button type="button" @click=${() => this.onCancel()}>Cancel</button>
        </div>
      </form>
    `;
  }

  private renderKind(kind: string, label: string) {
    return html`
      <label class="choice">
        <input
          type="radio"
          name="kind"
          value=${kind}
          .checked=${this.values.kind === kind}
          @change=${() => this.set('kind', kind)}
        />
        ${label}
      </label>
    `;
  }

  private renderField(
    name: TextField,
    label: string,
    className = '',
    type = 'text',
  ) {
    const error = this.errors[name];
    return html`
      <div class="field ${className}">
        <label for=${name}>${label}</label>
        <input
          id=${name}
          name=${name}
          type=${type}
          .value=${this.values[name]}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${name}-error` : ''}
          @input=${(event: InputEvent) =>
            this.set(name, (event.target as HTMLInputElement).value)}
        />
        ${
          error
            ? html`<div class="field-error" id="${name}-error">${error}</div>`
            : null
        }
      </div>
    `;
  }

  private renderArea(name: TextField, label: string) {
    return html`
      <div class="field wide">
        <label for=${name}>${label}</label>
        <textarea
          id=${name}
          name=${name}
          rows="2"
          .value=${this.values[name]}
          @input=${(event: InputEvent) =>
            this.set(name, (event.target as HTMLTextAreaElement).value)}
        ></textarea>
      </div>
    `;
  }

  private set(name: keyof ContactFormValues, value: string): void {
    this.values = { ...this.values, [name]: value };
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const result = draftFromForm(this.values);
    if (result.ok) {
      this.errors = {};
      const base = this.contact ? draftFromForm(this.filledValues) : undefined;
      const baseDraft = base?.ok ? base.draft : undefined;
      this.dispatchEvent(new ContactSaveEvent(result.draft, baseDraft));
      return;
    }
    this.errors = result.errors;
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLElement>('[aria-invalid="true"]')
      ?.focus();
  }

  private onCancel(): void {
    this.reset();
    this.dispatchEvent(
      new Event('contact-cancel', { bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-contact-form': ContactForm;
  }
}
