/**
 * The Documents tab: the contact's documents with multi-select, and the
 * Portal menu for file transfers. Adding and sending files needs the
 * engine's transfer queue, so those controls are listed but disabled.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Contact, Document, Workspace } from '../engine/workspace.js';
import { formatDateTime, formatSize, plural } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import type { MenuItem } from './menu-button.js';
import './menu-button.js';

const NOT_YET = 'Not available yet in this version.';

@customElement('portico-documents-tab')
export class DocumentsTab extends LitElement {
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
      td.check,
      th.check {
        width: 2.5rem;
      }
      input[type='checkbox'] {
        width: auto;
      }
      .name {
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private documents: Document[] = [];
  @state() private selected = new Set<string>();
  private stopWatching: (() => void) | undefined;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('contact') || changed.has('workspace')) this.watch();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A tab moved in the DOM keeps its element; the first update starts
    // the watch of a new one.
    if (this.hasUpdated && this.stopWatching === undefined) this.watch();
  }

  override render() {
    const transfers = this.workspace.features.fileTransfers;
    return html`
      <div class="toolbar">
        <div class="actions">
          <!-- TODO: file picker and drag and drop, once documents can be
               stored through the engine's transfer queue. -->
          <button ?disabled=${!transfers} aria-describedby="add-hint">
            Add from disk…
          </button>
          <span class="hint" id="add-hint">
            ${transfers ? '' : `Adding files: ${NOT_YET}`}
          </span>
        </div>
        <portico-menu-button
          label="Portal"
          .items=${this.portalItems()}
        ></portico-menu-button>
      </div>
      ${
        this.documents.length === 0
          ? html`<p class="hint">No documents for this contact yet.</p>`
          : this.renderTable()
      }
    `;
  }

  private renderTable() {
    const all = this.documents.every((doc) => this.selected.has(doc.id));
    return html`
      <p class="hint" aria-live="polite">
        ${plural(this.selected.size, 'document')} selected
      </p>
      <table>
        <caption class="visually-hidden">
          Documents of ${this.contact.displayName}
        </caption>
        <thead>
          <tr>
            <th class="check" scope="col">
              <input
                type="checkbox"
                aria-label="Select all documents"
                .checked=${all}
                @change=${() => this.selectAll(!all)}
              />
            </th>
            <th scope="col">Name</th>
            <th scope="col" class="number">Size</th>
            <th scope="col">Added</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          ${this.documents.map((doc) => this.renderRow(doc))}
        </tbody>
      </table>
    `;
  }

  private renderRow(doc: Document) {
    // TODO: a context menu with "Send to Client Portal" on each row.
    return html`<tr>
      <td class="check">
        <input
          type="checkbox"
          aria-label="Select ${doc.name}"
          .checked=${this.selected.has(doc.id)}
          @change=${() => this.toggle(doc.id)}
        />
      </td>
      <td class="name">${doc.name}</td>
      <td class="number">${formatSize(doc.size)}</td>
      <td>${formatDateTime(doc.addedAt)}</td>
      <td>${doc.source === 'portal' ? 'Client portal' : 'Staff'}</td>
    </tr>`;
  }

  private portalItems(): MenuItem[] {
    // TODO: wire these to the transfer queue and the portal files dialog
    // when the engine has them (features.fileTransfers).
    const hint = this.workspace.features.fileTransfers
      ? {}
      : { unavailable: NOT_YET };
    return [
      { id: 'upload-selected', label: 'Upload Selected Files', ...hint },
      { id: 'upload-file', label: 'Upload File…', ...hint },
      { id: 'view-files', label: 'View Files', ...hint },
      { id: 'check-new', label: 'Check for New Files', ...hint },
    ];
  }

  private watch(): void {
    this.stopWatching?.();
    this.selected = new Set();
    this.stopWatching = this.workspace.watchDocuments(
      this.contact.id,
      (documents) => {
        this.documents = documents;
        const ids = new Set(documents.map((doc) => doc.id));
        this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
      },
    );
  }

  private toggle(id: string): void {
    const next = new Set(this.selected);
    if (!next.delete(id)) next.add(id);
    this.selected = next;
  }

  private selectAll(on: boolean): void {
    this.selected = on
      ? new Set(this.documents.map((doc) => doc.id))
      : new Set();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-documents-tab': DocumentsTab;
  }
}
