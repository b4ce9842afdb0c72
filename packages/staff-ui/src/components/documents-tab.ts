/**
 * The Documents tab: the contact's documents with multi-select, adding
 * files from disk (file picker or drag and drop), and the Portal menu and
 * row context menu that send documents to the client's portal.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { UploadBatch } from '../engine/file-actions.js';
import { messageOf } from '../engine/portal-actions.js';
import type { Contact, Document, Workspace } from '../engine/workspace.js';
import { formatDateTime, formatSize, plural } from '../ui/format.js';
import { RemindersReadyEvent } from '../ui/reminders.js';
import { baseStyles } from '../ui/styles.js';
import type { ClientFilesDialog } from './client-files-dialog.js';
import './client-files-dialog.js';
import type { MenuItem, MenuSelectEvent } from './menu-button.js';
import './menu-button.js';

/** Position and document of the open row context menu. */
interface ContextMenuState {
  documentId: string;
  x: number;
  y: number;
}

@customElement('portico-documents-tab')
export class DocumentsTab extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        min-height: 12rem;
      }
      :host([dragging]) {
        outline: 2px dashed var(--accent);
        outline-offset: 4px;
        background: var(--selected-bg);
      }
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
      tbody tr:focus-within {
        background: var(--surface-hover);
      }
      [role='menu'] {
        position: fixed;
        z-index: 20;
        min-width: 14rem;
        margin: 0;
        padding: 0.3rem 0;
        list-style: none;
        background: var(--surface);
        border: 1px solid var(--border-strong);
        border-radius: 8px;
        box-shadow: 0 6px 24px rgb(0 0 0 / 0.15);
      }
      [role='menuitem'] {
        display: block;
        width: 100%;
        text-align: left;
        border: none;
        border-radius: 0;
        background: none;
        padding: 0.45rem 0.9rem;
      }
      [role='menuitem']:focus-visible,
      [role='menuitem']:hover {
        background: var(--surface-hover);
        outline-offset: -2px;
      }
      .file-input {
        display: none;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @property({ type: Boolean, reflect: true }) dragging = false;
  @state() private documents: Document[] = [];
  @state() private selected = new Set<string>();
  @state() private notice = '';
  @state() private error = '';
  @state() private contextMenu: ContextMenuState | undefined;
  @query('#add-input') private addInput!: HTMLInputElement;
  @query('#upload-input') private uploadInput!: HTMLInputElement;
  @query('portico-client-files-dialog') private filesDialog!: ClientFilesDialog;
  private stopWatching: (() => void) | undefined;
  /** The element that had focus before the context menu opened. */
  private menuOpener: HTMLElement | undefined;

  constructor() {
    super();
    this.addEventListener('dragover', (event) => this.onDragOver(event));
    this.addEventListener('dragleave', () => (this.dragging = false));
    this.addEventListener('drop', (event) => void this.onDrop(event));
  }

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
    return html`
      <div class="toolbar">
        <div class="actions">
          <button @click=${() => this.addInput.click()}>Add from disk…</button>
          <span class="hint">or drop files here</span>
          <input
            id="add-input"
            class="file-input"
            type="file"
            multiple
            aria-label="Files to add to the documents"
            @change=${() => void this.onAddPicked()}
          />
          <input
            id="upload-input"
            class="file-input"
            type="file"
            aria-label="File to upload to the client portal"
            @change=${() => void this.onUploadPicked()}
          />
        </div>
        <portico-menu-button
          label="Portal"
          .items=${this.portalItems()}
          @menu-select=${(event: MenuSelectEvent) =>
            void this.onPortalAction(event.itemId)}
        ></portico-menu-button>
      </div>
      <p role="status">${this.notice}</p>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
      ${
        this.documents.length === 0
          ? html`<p class="hint">No documents for this contact yet.</p>`
          : this.renderTable()
      }
      ${this.contextMenu ? this.renderContextMenu(this.contextMenu) : null}
      <portico-client-files-dialog
        .workspace=${this.workspace}
        .contact=${this.contact}
      ></portico-client-files-dialog>
    `;
  }

  private renderTable() {
    const all = this.documents.every((doc) => this.selected.has(doc.id));
    return html`
      <p class="hint" aria-live="polite">
        ${plural(this.selected.size, 'document')} selected. Right-click a row,
        or press Shift+F10 on it, to send it to the client portal.
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
    return html`<tr
      data-document=${doc.id}
      @contextmenu=${(event: MouseEvent) => this.onContextMenu(event, doc.id)}
      @keydown=${(event: KeyboardEvent) => this.onRowKey(event, doc.id)}
    >
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

  private renderContextMenu(menu: ContextMenuState) {
    return html`<ul
      role="menu"
      aria-label="Document actions"
      style="left: ${menu.x}px; top: ${menu.y}px"
      @keydown=${(event: KeyboardEvent) => this.onMenuKey(event)}
      @focusout=${(event: FocusEvent) => this.onMenuFocusOut(event)}
    >
      <li role="none">
        <button
          role="menuitem"
          tabindex="-1"
          @click=${() => void this.sendFromMenu(menu.documentId)}
        >
          Send to Client Portal
        </button>
      </li>
    </ul>`;
  }

  private portalItems(): MenuItem[] {
    return [
      { id: 'upload-selected', label: 'Upload Selected Files' },
      { id: 'upload-file', label: 'Upload File…' },
      { id: 'view-files', label: 'View Files' },
      { id: 'check-new', label: 'Check for New Files' },
    ];
  }

  private async onPortalAction(itemId: string): Promise<void> {
    switch (itemId) {
      case 'upload-selected':
        return this.upload([...this.selected]);
      case 'upload-file':
        this.uploadInput.click();
        return;
      case 'view-files':
        return this.filesDialog.show('all');
      case 'check-new':
        return this.filesDialog.show('new');
    }
  }

  // Adding files ------------------------------------------------------------

  private async onAddPicked(): Promise<void> {
    const files = [...(this.addInput.files ?? [])];
    this.addInput.value = '';
    await this.addFiles(files);
  }

  private onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private async onDrop(event: DragEvent): Promise<void> {
    event.preventDefault();
    this.dragging = false;
    await this.addFiles([...(event.dataTransfer?.files ?? [])]);
  }

  private async addFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    this.clearMessages();
    const { added, failed } = await this.workspace.files.addFromDisk(
      this.contact.id,
      files,
    );
    this.notice = `Added ${plural(added.length, 'document')}.`;
    if (failed.length > 0) {
      this.error = failed
        .map((failure) => `${failure.name}: ${failure.reason}`)
        .join(' ');
    }
  }

  // Sending files -----------------------------------------------------------

  private async upload(documentIds: string[]): Promise<void> {
    this.clearMessages();
    if (documentIds.length === 0) {
      this.error =
        'No documents are selected. Tick the documents to send, then ' +
        'choose Upload Selected Files again.';
      return;
    }
    try {
      const batch = await this.workspace.files.uploadSelected(
        this.contact.id,
        documentIds,
      );
      this.notice = `Sending ${plural(batch.files.length, 'file')} to the client portal.`;
      await this.offerReminder(batch);
    } catch (error) {
      this.error = `Upload failed: ${messageOf(error)}`;
    }
  }

  private async onUploadPicked(): Promise<void> {
    const file = this.uploadInput.files?.[0];
    this.uploadInput.value = '';
    if (file === undefined) return;
    this.clearMessages();
    try {
      const batch = await this.workspace.files.uploadFromDisk(
        this.contact.id,
        file,
      );
      this.notice = `Sending ${file.name} to the client portal.`;
      await this.offerReminder(batch);
    } catch (error) {
      this.error = `Upload failed: ${messageOf(error)}`;
    }
  }

  /**
   * Once the batch's uploads end, opens the reminders dialog with its
   * "new file available" reminder, which staff send or keep for later.
   */
  private async offerReminder(batch: UploadBatch): Promise<void> {
    if (batch.batchId === undefined) return;
    const reminder = await this.workspace.portal.waitForBatchReminder(
      batch.batchId,
      batch.transferIds,
    );
    // NOTE: when staff left this tab meanwhile, the event has no listener;
    // the reminder stays pending and the status bar badge counts it.
    if (reminder !== undefined) {
      this.dispatchEvent(new RemindersReadyEvent([reminder.id]));
    }
  }

  // Context menu ------------------------------------------------------------

  private onContextMenu(event: MouseEvent, documentId: string): void {
    event.preventDefault();
    // A key press also fires contextmenu, at 0, 0; place that one by the row.
    if (event.clientX === 0 && event.clientY === 0) {
      void this.openMenuAtRow(documentId);
      return;
    }
    void this.openMenu(documentId, event.clientX, event.clientY);
  }

  private onRowKey(event: KeyboardEvent, documentId: string): void {
    const isMenuKey =
      event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey);
    if (!isMenuKey) return;
    event.preventDefault();
    void this.openMenuAtRow(documentId);
  }

  private async openMenuAtRow(documentId: string): Promise<void> {
    const row = this.renderRoot.querySelector(
      `tr[data-document="${documentId}"]`,
    );
    const box = row?.getBoundingClientRect();
    await this.openMenu(documentId, (box?.left ?? 0) + 40, box?.bottom ?? 0);
  }

  private async openMenu(documentId: string, x: number, y: number) {
    const active = this.renderRoot.querySelector(':focus');
    if (active instanceof HTMLElement) this.menuOpener = active;
    this.contextMenu = { documentId, x, y };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }

  private closeMenu(returnFocus: boolean): void {
    this.contextMenu = undefined;
    if (returnFocus) this.menuOpener?.focus();
  }

  private onMenuKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.closeMenu(true);
    } else if (event.key === 'Tab') {
      this.closeMenu(false);
    }
  }

  private onMenuFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next === null || !this.renderRoot.contains(next)) {
      this.contextMenu = undefined;
    }
  }

  /** Sends the selection when the row is part of it, else the row alone. */
  private async sendFromMenu(documentId: string): Promise<void> {
    this.closeMenu(true);
    const ids = this.selected.has(documentId)
      ? [...this.selected]
      : [documentId];
    await this.upload(ids);
  }

  // Selection ---------------------------------------------------------------

  private watch(): void {
    this.stopWatching?.();
    this.selected = new Set();
    this.clearMessages();
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

  private clearMessages(): void {
    this.notice = '';
    this.error = '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-documents-tab': DocumentsTab;
  }
}
