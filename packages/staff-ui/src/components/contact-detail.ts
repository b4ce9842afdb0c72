/**
 * The selected contact: a header with its portal status and the Contact,
 * Documents and Billing tabs. Tabs follow the WAI-ARIA tabs pattern with
 * automatic activation: Left and Right arrows, Home and End.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Contact, Workspace } from '../engine/workspace.js';
import { portalLabel } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import './billing-tab.js';
import './contact-tab.js';
import './documents-tab.js';

type TabId = 'contact' | 'documents' | 'billing';

const TABS: { id: TabId; label: string }[] = [
  { id: 'contact', label: 'Contact' },
  { id: 'documents', label: 'Documents' },
  { id: 'billing', label: 'Billing' },
];

@customElement('portico-contact-detail')
export class ContactDetail extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        min-width: 0;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 1rem 1.5rem 0;
      }
      header h2 {
        font-size: 1.35rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      [role='tablist'] {
        display: flex;
        gap: 0.25rem;
        padding: 0.75rem 1.5rem 0;
        border-bottom: 1px solid var(--border);
      }
      [role='tab'] {
        border: none;
        border-bottom: 3px solid transparent;
        border-radius: 0;
        background: none;
        padding: 0.5rem 0.9rem;
        color: var(--text-muted);
      }
      [role='tab'][aria-selected='true'] {
        color: var(--text);
        border-bottom-color: var(--accent);
        font-weight: 600;
      }
      [role='tabpanel'] {
        flex: 1;
        overflow-y: auto;
        padding: 1.25rem 1.5rem;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private tab: TabId = 'contact';

  override render() {
    const status = this.contact.portal.status;
    return html`
      <header>
        <h2 id="contact-heading">${this.contact.displayName}</h2>
        <span class="badge ${status}">${portalLabel(status)}</span>
      </header>
      <div
        role="tablist"
        aria-labelledby="contact-heading"
        @keydown=${(event: KeyboardEvent) => void this.onTabKey(event)}
      >
        ${TABS.map(
          (tab) => html`
            <button
              role="tab"
              id="tab-${tab.id}"
              aria-selected=${this.tab === tab.id ? 'true' : 'false'}
              aria-controls="panel"
              tabindex=${this.tab === tab.id ? '0' : '-1'}
              @click=${() => (this.tab = tab.id)}
            >
              ${tab.label}
            </button>
          `,
        )}
      </div>
      <div
        role="tabpanel"
        id="panel"
        aria-labelledby="tab-${this.tab}"
        tabindex="0"
      >
        ${this.renderPanel()}
      </div>
    `;
  }

  private renderPanel() {
    switch (this.tab) {
      case 'contact':
        return html`<portico-contact-tab
          .workspace=${this.workspace}
          .contact=${this.contact}
        ></portico-contact-tab>`;
      case 'documents':
        return html`<portico-documents-tab
          .workspace=${this.workspace}
          .contact=${this.contact}
        ></portico-documents-tab>`;
      case 'billing':
        return html`<portico-billing-tab
          .workspace=${this.workspace}
          .contact=${this.contact}
        ></portico-billing-tab>`;
    }
  }

  private async onTabKey(event: KeyboardEvent): Promise<void> {
    const index = TABS.findIndex((tab) => tab.id === this.tab);
    const targets: Record<string, number> = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    const target = TABS[targets[event.key] ?? -1];
    if (target === undefined) return;
    event.preventDefault();
    this.tab = target.id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#tab-${target.id}`)?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-contact-detail': ContactDetail;
  }
}
