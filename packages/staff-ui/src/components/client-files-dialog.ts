/**
 * The Client Documents dialog: the files on a client's portal. "View
 * Files" lists every file in both directions; "Check for New Files" lists
 * the client's uploads not yet taken in. Download takes a client's file
 * into the contact's documents; Delete removes a file from the portal.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { PortalFile } from '../engine/file-actions.js';
import { messageOf } from '../engine/portal-actions.js';
import type { Contact, Workspace } from '../engine/workspace.js';
import { formatDateTime, formatSize, plural } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

export type FilesMode = 'all' | 'new';

const STATUS_LABELS: Record<PortalFile['status'], string> = {
  uploading: 'Uploading',
  available: 'Available',
  deleted: 'Deleted',
};

@customElement('portico-client-files-dialog')
export class ClientFilesDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog {
        max-width: min(62rem, 94vw);
      }
      .scroll {
        max-height: 55vh;
        overflow-y: auto;
        margin: 0.75rem 0 1rem;
      }
      .name {
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property({ attribute: false }) contact!: Contact;
  @state() private mode: FilesMode = 'all';
  @state() private files: PortalFile[] = [];
  @state() private loading = false;
  @state() private busyId: string | undefined;
  @state() private notice = '';
  @state() private error = '';
  @query('dialog') private dialog!: HTMLDialogElement;

  async show(mode: FilesMode): Promise<void> {
    this.mode = mode;
    this.notice = '';
    this.error = '';
    this.files = [];
    this.dialog.showModal();
    await this.load();
  }

  override render() {
    const title =
      this.mode === 'all' ? 'Client Documents' : 'New files from the client';
    return html`<dialog aria-labelledby="files-heading">
      <h2 id="files-heading">${title}: ${this.contact.displayName}</h2>
      <p role="status">${this.loading ? 'Loading…' : this.notice}</p>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
      ${this.loading ? null : this.renderFiles()}
      <div class="actions">
        <button @click=${() => void this.load()}>Refresh</button>
        <button autofocus @click=${() => this.dialog.close()}>Close</button>
      </div>
    </dialog>`;
  }

  private renderFiles() {
    if (this.files.length === 0) {
      return html`<p>
        ${
          this.mode === 'all'
            ? 'No files on the portal for this client yet.'
            : 'No new files from this client.'
        }
      </p>`;
    }
    return html`<div class="scroll">
      <table>
        <caption class="visually-hidden">
          Portal files of ${this.contact.displayName}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Direction</th>
            <th scope="col">State</th>
            <th scope="col" class="number">Size</th>
            <th scope="col">Uploaded</th>
            <th scope="col">Viewed</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.files.map((file) => this.renderRow(file))}
        </tbody>
      </table>
    </div>`;
  }

  private renderRow(file: PortalFile) {
    const fromClient = file.direction === 'from-client';
    const busy = this.busyId === file.id;
    return html`<tr>
      <td class="name">${file.name}</td>
      <td>${fromClient ? 'From client' : 'To client'}</td>
      <td>
        ${STATUS_LABELS[file.status]}
        ${
          file.takenInAt
            ? html`<div class="hint">
                Taken in ${formatDateTime(file.takenInAt)}
              </div>`
            : null
        }
      </td>
      <td class="number">${formatSize(file.size)}</td>
      <td>${formatDateTime(file.uploadedAt)}</td>
      <td>${file.viewedAt ? formatDateTime(file.viewedAt) : 'Not yet'}</td>
      <td class="actions">
        ${
          fromClient && file.status === 'available' && !file.takenInAt
            ? html`<button
                ?disabled=${busy}
                aria-label="Download ${file.name}"
                @click=${() => void this.takeIn(file)}
              >
                Download
              </button>`
            : null
        }
        <button
          class="danger"
          ?disabled=${busy}
          aria-label="Delete ${file.name} from the portal"
          @click=${() => void this.deleteFile(file)}
        >
          Delete
        </button>
      </td>
    </tr>`;
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      const id = this.contact.id;
      this.files =
        this.mode === 'all'
          ? await this.workspace.files.viewFiles(id)
          : await this.workspace.files.checkForNewFiles(id);
      if (this.mode === 'new') {
        this.notice = `${plural(this.files.length, 'new file')} from the client.`;
      }
    } catch (error) {
      this.error = `Listing the portal files failed: ${messageOf(error)}`;
    } finally {
      this.loading = false;
    }
  }

  private async takeIn(file: PortalFile): Promise<void> {
    await this.act(file, async () => {
      await this.workspace.files.takeIn(file.id);
      return `${file.name} is now in the documents of ${this.contact.displayName}.`;
    });
  }

  private async deleteFile(file: PortalFile): Promise<void> {
    await this.act(file, async () => {
      await this.workspace.files.deletePortalFile(file.id);
      return `${file.name} was deleted from the portal.`;
    });
  }

  private async act(file: PortalFile, action: () => Promise<string>) {
    this.busyId = file.id;
    this.error = '';
    try {
      const notice = await action();
      await this.load();
      this.notice = notice;
    } catch (error) {
      this.error = `${file.name}: ${messageOf(error)}`;
    } finally {
      this.busyId = undefined;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-client-files-dialog': ClientFilesDialog;
  }
}
