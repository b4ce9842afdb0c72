import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PortalFile } from '@portico/engine';
import { ApiError } from '../api/http.js';
import { downloadUrl, uploadFile } from '../api/portal.js';
import { formatBytes, formatDateTime } from '../ui/format.js';
import { messageOf } from '../ui/messages.js';
import { baseStyles } from '../ui/styles.js';

/** One upload the client started in this page view. */
interface Upload {
  key: number;
  name: string;
  loaded: number;
  total: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

/**
 * Files the firm sent and files the client uploaded, newest first, with
 * the upload area above them.
 */
@customElement('portal-files')
export class FilesView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .drop {
        border: 2px dashed #9aa5b1;
        border-radius: 8px;
        padding: 1rem;
        text-align: center;
        display: grid;
        gap: 0.5rem;
        justify-items: center;
      }
      .drop.active {
        border-color: var(--primary, #0b5394);
        background: #e8f1fb;
      }
      .drop input {
        position: absolute;
        opacity: 0;
        width: 1px;
        height: 1px;
      }
      .drop label {
        font-weight: 600;
      }
      /* The input is invisible, so its label shows the keyboard focus. */
      .drop input:focus-visible + label {
        outline: 3px solid var(--focus, #f0b429);
        outline-offset: 2px;
      }
      .uploads progress {
        width: 100%;
        height: 0.75rem;
      }
      .file {
        display: grid;
        gap: 0.25rem;
      }
      .file .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .file .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        font-size: 0.95rem;
      }
      .file .actions {
        margin-top: 0.25rem;
      }
      section + section {
        margin-top: 1.5rem;
      }
      @media (min-width: 720px) {
        .file {
          grid-template-columns: 1fr auto;
          align-items: center;
        }
        .file .actions {
          grid-row: 1 / span 2;
          grid-column: 2;
          margin: 0;
        }
      }
    `,
  ];

  @property({ attribute: false }) files: PortalFile[] = [];
  @property({ type: Boolean }) offline = false;

  @state() private uploads: Upload[] = [];
  @state() private dragging = false;
  private nextKey = 1;

  override render() {
    return html`
      <h1>Files</h1>
      <section aria-labelledby="upload-title">
        <h2 id="upload-title">Send files to your firm</h2>
        ${this.renderDropZone()} ${this.renderUploads()}
      </section>
      <section aria-labelledby="files-title">
        <h2 id="files-title">All files</h2>
        ${
          this.files.length === 0
            ? html`<p class="muted">No files yet.</p>`
            : html`<ul class="stack" aria-label="Files">
                ${this.files.map((file) => this.renderFile(file))}
              </ul>`
        }
      </section>
    `;
  }

  private renderDropZone() {
    return html`<div
      class="drop ${this.dragging ? 'active' : ''}"
      @dragover=${(event: DragEvent) => this.dragOver(event)}
      @dragleave=${() => (this.dragging = false)}
      @drop=${(event: DragEvent) => this.drop(event)}
    >
      <p>Drag files here, or</p>
      <input
        id="picker"
        type="file"
        multiple
        ?disabled=${this.offline}
        @change=${(event: Event) => this.picked(event)}
      />
      <label class="button" for="picker">Choose files</label>
      ${
        this.offline
          ? html`<p class="muted">Uploads need a connection.</p>`
          : nothing
      }
    </div>`;
  }

  private renderUploads() {
    if (this.uploads.length === 0) return nothing;
    return html`<ul class="stack uploads" aria-label="Uploads">
      ${this.uploads.map(
        (upload) =>
          html`<li class="card" data-upload=${upload.state}>
            <div class="name">${upload.name}</div>
            ${
              upload.state === 'uploading'
                ? html`<progress
                    max=${upload.total || 1}
                    .value=${upload.loaded}
                    aria-label="Upload progress of ${upload.name}"
                  ></progress>`
                : nothing
            }
            ${
              upload.state === 'done'
                ? html`<p role="status">Sent to your firm.</p>`
                : nothing
            }
            ${
              upload.state === 'failed'
                ? html`<p class="error" role="alert">${upload.error}</p>`
                : nothing
            }
          </li>`,
      )}
    </ul>`;
  }

  private renderFile(file: PortalFile) {
    const fromFirm = file.direction === 'to-client';
    return html`<li class="card file" data-file-id=${file.id}>
      <div class="name">${file.name}</div>
      <div class="meta muted">
        <span>${formatBytes(file.size)}</span>
        <span>${formatDateTime(file.uploadedAt)}</span>
        <span>${fromFirm ? 'From your firm' : 'Sent by you'}</span>
        ${fromFirm ? nothing : html`<span>${takenInText(file)}</span>`}
      </div>
      <div class="actions">${this.renderFileAction(file)}</div>
    </li>`;
  }

  private renderFileAction(file: PortalFile) {
    if (file.status !== 'available') {
      return html`<span class="badge">Processing</span>`;
    }
    // Downloads come from the relay, so offline the link would only fail.
    if (this.offline) {
      return html`<span class="badge">Download when online</span>`;
    }
    return html`<a
      class="button secondary"
      href=${downloadUrl(file.id)}
      download=${file.name}
      aria-label="Download ${file.name}"
      >Download</a
    >`;
  }

  private dragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging = true;
  }

  private drop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    this.startUploads(files);
  }

  private picked(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    // Cleared so that picking the same file again fires `change`.
    input.value = '';
    this.startUploads(files);
  }

  private startUploads(files: File[]): void {
    for (const file of files) void this.upload(file);
  }

  private async upload(file: File): Promise<void> {
    const key = this.nextKey++;
    this.uploads = [
      ...this.uploads,
      { key, name: file.name, loaded: 0, total: file.size, state: 'uploading' },
    ];
    try {
      await uploadFile(file, ({ loaded, total }) =>
        this.updateUpload(key, { loaded, total }),
      );
      this.updateUpload(key, { state: 'done' });
    } catch (error) {
      this.updateUpload(key, {
        state: 'failed',
        error: uploadError(file, error),
      });
    }
  }

  private updateUpload(key: number, change: Partial<Upload>): void {
    this.uploads = this.uploads.map((upload) =>
      upload.key === key ? { ...upload, ...change } : upload,
    );
  }
}

function takenInText(file: PortalFile): string {
  return file.takenInAt
    ? `Received by your firm ${formatDateTime(file.takenInAt)}`
    : 'Not yet taken in by your firm';
}

function uploadError(file: File, error: unknown): string {
  if (error instanceof ApiError && error.status === 413) {
    return `"${file.name}" (${formatBytes(file.size)}) is too large to upload. ${error.message}`;
  }
  return `"${file.name}" was not sent. ${messageOf(error)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-files': FilesView;
  }
}
