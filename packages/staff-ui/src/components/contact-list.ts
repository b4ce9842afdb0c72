/**
 * The contact list: a search field and a listbox of contacts with their
 * portal status. Arrow keys, Home and End move the selection while the
 * list has focus, so the keyboard never has to tab through every contact.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Contact } from '../engine/workspace.js';
import { searchContacts } from '../ui/contact-search.js';
import { plural, portalLabel } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

/** Fired when the user selects a contact. */
export class ContactSelectEvent extends Event {
  constructor(readonly contactId: string) {
    super('contact-select', { bubbles: true, composed: true });
  }
}

@customElement('portico-contact-list')
export class ContactList extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        border-right: 1px solid var(--border);
        background: var(--surface-muted);
      }
      .search {
        padding: 0.75rem;
        border-bottom: 1px solid var(--border);
      }
      .count {
        margin-top: 0.35rem;
      }
      [role='listbox'] {
        flex: 1;
        overflow-y: auto;
        margin: 0;
        padding: 0.25rem 0;
        list-style: none;
      }
      [role='listbox']:focus-visible {
        outline-offset: -2px;
      }
      [role='option'] {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
        padding: 0.5rem 0.75rem;
        cursor: pointer;
        border-left: 3px solid transparent;
      }
      [role='option']:hover {
        background: var(--surface-hover);
      }
      [role='option'][aria-selected='true'] {
        background: var(--selected-bg);
        border-left-color: var(--accent);
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .email {
        display: block;
        font-size: 0.8rem;
        color: var(--text-muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .text {
        min-width: 0;
      }
      .empty {
        padding: 1rem 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) contacts: Contact[] = [];
  @property({ attribute: false }) selectedId: string | undefined;
  @state() private query = '';

  override render() {
    const shown = searchContacts(this.contacts, this.query);
    const active = shown.some((contact) => contact.id === this.selectedId)
      ? `contact-${this.selectedId}`
      : '';
    return html`
      <div class="search">
        <label for="search">Search contacts</label>
        <input
          id="search"
          type="search"
          autocomplete="off"
          placeholder="Name, email or phone"
          .value=${this.query}
          @input=${(event: InputEvent) =>
            (this.query = (event.target as HTMLInputElement).value)}
        />
        <div class="count hint" aria-live="polite">
          ${
            this.query
              ? `${plural(shown.length, 'match', 'matches')} of ${this.contacts.length}`
              : plural(this.contacts.length, 'contact')
          }
        </div>
      </div>
      ${
        shown.length === 0
          ? html`<p class="empty hint">
              ${
                this.contacts.length === 0
                  ? 'No contacts yet. Create one or import a file.'
                  : 'No contact matches the search.'
              }
            </p>`
          : null
      }
      <ul
        role="listbox"
        aria-label="Contacts"
        tabindex="0"
        aria-activedescendant=${active}
        ?hidden=${shown.length === 0}
        @keydown=${(event: KeyboardEvent) => this.onKey(event, shown)}
      >
        ${shown.map((contact) => this.renderOption(contact))}
      </ul>
    `;
  }

  private renderOption(contact: Contact) {
    const status = contact.portal.status;
    return html`
      <li
        role="option"
        id="contact-${contact.id}"
        aria-selected=${contact.id === this.selectedId ? 'true' : 'false'}
        @click=${() => this.select(contact.id)}
      >
        <span class="text">
          <span class="name">${contact.displayName}</span>
          ${
            contact.email
              ? html`<span class="email">${contact.email}</span>`
              : null
          }
        </span>
        <span class="badge ${status}">${portalLabel(status)}</span>
      </li>
    `;
  }

  private onKey(event: KeyboardEvent, shown: Contact[]): void {
    const index = shown.findIndex((contact) => contact.id === this.selectedId);
    const targets: Record<string, number> = {
      ArrowDown: Math.min(index + 1, shown.length - 1),
      ArrowUp: Math.max(index - 1, 0),
      Home: 0,
      End: shown.length - 1,
    };
    const target = targets[event.key];
    const contact = target === undefined ? undefined : shown[target];
    if (contact === undefined) return;
    event.preventDefault();
    this.select(contact.id);
    this.renderRoot
      .querySelector(`#contact-${CSS.escape(contact.id)}`)
      ?.scrollIntoView({ block: 'nearest' });
  }

  private select(contactId: string): void {
    this.dispatchEvent(new ContactSelectEvent(contactId));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-contact-list': ContactList;
  }
}
