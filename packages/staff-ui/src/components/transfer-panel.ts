/**
 * The File Transfer Queue panel: every upload and download with its name,
 * direction, progress, state, a Retry for failed ones and a Cancel for any
 * that has not finished.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { messageOf } from '../engine/portal-actions.js';
import type { Transfer } from '../engine/file-actions.js';
import type { Workspace } from '../engine/workspace.js';
import { formatSize } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

const STATE_LABELS: Record<Transfer['state'], string> = {
  queued: 'Waiting',
  running: 'In progress',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

@customElement('portico-transfer-panel')
export class TransferPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        border-top: 1px solid var(--border-strong);
        background: var(--surface);
        max-height: 14rem;
        overflow-y: auto;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        padding: 0.4rem 1rem;
      }
      h2 {
        font-size: 1rem;
      }
      table {
        font-size: 0.9rem;
      }
      th,
      td {
        padding: 0.3rem 1rem;
      }
      progress {
        width: 100%;
        min-width: 6rem;
      }
      .name {
        overflow-wrap: anywhere;
      }
      .failed {
        color: var(--danger);
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @state() private transfers: Transfer[] = [];
  @state() private error = '';
  private stopWatching: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopWatching = this.workspace.files.watchTransfers(
      (transfers) => (this.transfers = transfers),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  override render() {
    return html`<section aria-labelledby="transfers-heading">
      <div class="head">
        <h2 id="transfers-heading">File Transfer Queue</h2>
        <button @click=${() => this.close()}>Hide</button>
      </div>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
      ${
        this.transfers.length === 0
          ? html`<p class="hint head">No file transfers yet.</p>`
          : this.renderTable()
      }
    </section>`;
  }

  private renderTable() {
    // Newest first, so a fresh upload is at the top.
    const rows = [...this.transfers].reverse();
    return html`<table>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Direction</th>
          <th scope="col">Progress</th>
          <th scope="col">State</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((transfer) => this.renderRow(transfer))}
      </tbody>
    </table>`;
  }

  private renderRow(transfer: Transfer) {
    const progressId = `progress-${transfer.id}`;
    const total = Math.max(transfer.bytesTotal, 1);
    const done = transfer.state === 'done' ? total : transfer.bytesDone;
    return html`<tr data-transfer=${transfer.id}>
      <td class="name">${transfer.name}</td>
      <td>
        ${transfer.kind === 'upload' ? 'To client portal' : 'From client portal'}
      </td>
      <td>
        <progress
          id=${progressId}
          max=${total}
          .value=${done}
          aria-label="Progress of ${transfer.name}"
        ></progress>
        <div class="hint">
          ${formatSize(transfer.bytesDone)} of
          ${formatSize(transfer.bytesTotal)}
        </div>
      </td>
      <td class=${transfer.state === 'failed' ? 'failed' : ''}>
        ${STATE_LABELS[transfer.state]}
        ${
          transfer.lastError
            ? html`<div class="hint">${transfer.lastError}</div>`
            : null
        }
      </td>
      <td>
        ${
          transfer.state === 'failed'
            ? html`<button
                aria-label="Retry ${transfer.name}"
                @click=${() => void this.retry(transfer.id)}
              >
                Retry
              </button>`
            : null
        }
        ${
          transfer.state === 'done' || transfer.state === 'cancelled'
            ? null
            : html`<button
                aria-label="Cancel ${transfer.name}"
                @click=${() => void this.cancel(transfer.id)}
              >
                Cancel
              </button>`
        }
      </td>
    </tr>`;
  }

  private async retry(id: string): Promise<void> {
    this.error = '';
    try {
      await this.workspace.files.retry(id);
    } catch (error) {
      this.error = `Retry failed: ${messageOf(error)}`;
    }
  }

  private async cancel(id: string): Promise<void> {
    this.error = '';
    try {
      await this.workspace.files.cancel(id);
    } catch (error) {
      this.error = `Cancel failed: ${messageOf(error)}`;
    }
  }

  private close(): void {
    this.dispatchEvent(
      new Event('panel-close', { bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-transfer-panel': TransferPanel;
  }
}
