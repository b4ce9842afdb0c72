/**
 * The Contact tab: the contact's details with Edit and Delete, and its
 * portal state with the Portal menu.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Contact, Workspace } from '../engine/workspace.js';
import { formatDateTime, portalLabel } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import type { ContactSaveEvent } from './contact-form.js';
import './contact-form.js';
import type { MenuItem, MenuSelectEvent } from './menu-button.js';
import './menu-button.js';
import { RemindersReadyEvent } from '../ui/reminders.js';

@customElement('portico-contact-tab')
export class ContactTab extends LitElement {
  static override styles = [
    baseStyles,
    css`
      section + section {
        margin-top: 1.5rem;
        padding-top: 1.25rem;
        border-top: 1px solid var(--border);
      }
      .section-head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        margin-bottom: 0.75rem;
      }
      h3 {
        font-size: 1.05rem;
      }
      dl {
        display: grid;
        grid-template-columns: minmax(8rem, max-content) 1fr;
        gap: 0.4rem 1.25rem;
        margin: 0;
      }
      dt {
        color: var(--text-muted);
      }
      dd {
        margin: 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private editing = false;
  @state() private busy = false;
  @state() private saveError = '';
  @state() private syncMessage = '';
  @state() private syncError = '';
  /** Set when Sync Contact sent staff to fix the email in the form. */
  private syncAfterSave = false;
  @query('#delete-dialog') private deleteDialog!: HTMLDialogElement;

  override willUpdate(changed: Map<string, unknown>): void {
    const previous = changed.get('contact') as Contact | undefined;
    if (previous !== undefined && previous.id !== this.contact.id) {
      this.editing = false;
      this.saveError = '';
      this.syncMessage = '';
      this.syncError = '';
      this.syncAfterSave = false;
    }
  }

  override render() {
    return html`
      <section aria-labelledby="details-heading">
        <div class="section-head">
          <h3 id="details-heading">Details</h3>
          ${
            this.editing
              ? null
              : html`<div class="actions">
                  <button @click=${() => void this.startEdit()}>Edit</button>
                  <button
                    class="danger"
                    @click=${() => this.deleteDialog.showModal()}
                  >
                    Delete
                  </button>
                </div>`
          }
        </div>
        ${this.editing ? this.renderForm() : this.renderDetails()}
      </section>
      <section aria-labelledby="portal-heading">
        <div class="section-head">
          <h3 id="portal-heading">Client portal</h3>
          <portico-menu-button
            label="Portal"
            .items=${this.portalItems()}
            @menu-select=${(event: MenuSelectEvent) => this.onPortalAction(event)}
          ></portico-menu-button>
        </div>
        ${this.renderPortal()}
      </section>
      ${this.renderDeleteDialog()}
    `;
  }

  private renderDetails() {
    const c = this.contact;
    const rows: [string, string | undefined][] = [
      ['Kind', c.kind === 'organization' ? 'Organization' : 'Person'],
      ['Given name', c.givenName],
      ['Family name', c.familyName],
      ['Organization', c.organization],
      ['Email', c.email],
      ['Phone', c.phone],
      ['Address', c.address],
      ['Notes', c.notes],
      ['Last changed', formatDateTime(c.updatedAt)],
    ];
    return html`<dl>
      ${rows
        .filter(([, value]) => value !== undefined && value !== '')
        .map(
          ([term, value]) =>
            html`<dt>${term}</dt>
              <dd>${value}</dd>`,
        )}
    </dl>`;
  }

  private renderForm() {
    return html`<portico-contact-form
      .contact=${this.contact}
      submitLabel="Save changes"
      .saveError=${this.saveError}
      ?busy=${this.busy}
      @contact-save=${(event: ContactSaveEvent) => void this.onSave(event)}
      @contact-cancel=${() => {
        this.editing = false;
        this.syncAfterSave = false;
      }}
    ></portico-contact-form>`;
  }

  private renderPortal() {
    const { status, syncedAt } = this.contact.portal;
    return html`<dl>
        <dt>Status</dt>
        <dd><span class="badge ${status}">${portalLabel(status)}</span></dd>
        ${
          syncedAt
            ? html`<dt>Last synced to portal</dt>
                <dd>${formatDateTime(syncedAt)}</dd>`
            : null
        }
      </dl>
      <p role="status">${this.syncMessage}</p>
      ${
        this.syncError
          ? html`<p class="field-error" role="alert">${this.syncError}</p>`
          : null
      }`;
  }

  private renderDeleteDialog() {
    return html`<dialog id="delete-dialog" aria-labelledby="delete-heading">
      <h3 id="delete-heading">Delete ${this.contact.displayName}?</h3>
      <p>
        The contact is removed on this computer now and from every staff device
        when it syncs. Its documents and billing records stay.
      </p>
      <div class="actions">
        <button class="danger" @click=${() => void this.onDelete()}>
          Delete contact
        </button>
        <button autofocus @click=${() => this.deleteDialog.close()}>
          Keep contact
        </button>
      </div>
    </dialog>`;
  }

  private portalItems(): MenuItem[] {
    return [
      { id: 'sync-contact', label: 'Sync Contact' },
      { id: 'reminders', label: 'Portal reminders…' },
    ];
  }

  private onPortalAction(event: MenuSelectEvent): void {
    if (event.itemId === 'sync-contact') void this.syncContact();
    if (event.itemId === 'reminders')
      this.dispatchEvent(new RemindersReadyEvent());
  }

  /**
   * Publishes the contact. An email problem opens the form with the
   * problem at the email field; saving it then syncs again.
   */
  private async syncContact(): Promise<void> {
    this.syncMessage = '';
    this.syncError = '';
    this.busy = true;
    const outcome = await this.workspace.portal.syncContact(this.contact.id);
    this.busy = false;
    if (outcome.ok) {
      this.syncAfterSave = false;
      this.syncMessage = outcome.invited
        ? `Synced. An invitation to ${outcome.email} is ready to be sent.`
        : `Synced. The portal shows the current details of ${this.contact.displayName}.`;
      if (outcome.invited) this.dispatchEvent(new RemindersReadyEvent());
      return;
    }
    if (outcome.field === 'email') {
      this.syncAfterSave = true;
      await this.startEdit();
      const form = this.renderRoot.querySelector('portico-contact-form');
      await form?.showFieldError('email', outcome.message);
      return;
    }
    this.syncError = `Sync Contact failed: ${outcome.message}`;
  }

  private async startEdit(): Promise<void> {
    this.saveError = '';
    this.editing = true;
    await this.updateComplete;
    const form = this.renderRoot.querySelector('portico-contact-form');
    await form?.updateComplete;
    form?.renderRoot.querySelector<HTMLElement>('#displayName')?.focus();
  }

  private async onSave(event: ContactSaveEvent): Promise<void> {
    this.busy = true;
    try {
      await this.workspace.updateContact(
        this.contact.id,
        event.draft,
        event.base,
      );
      this.editing = false;
      if (this.syncAfterSave) await this.syncContact();
    } catch (error) {
      this.saveError = `Saving failed: ${errorText(error)}`;
    } finally {
      this.busy = false;
    }
  }

  private async onDelete(): Promise<void> {
    this.deleteDialog.close();
    await this.workspace.deleteContact(this.contact.id);
    this.dispatchEvent(
      new Event('contact-deleted', { bubbles: true, composed: true }),
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-contact-tab': ContactTab;
  }
}
