/**
 * The status bar: connection state, whether every change is stored on the
 * relay, the last sync time, and engine errors in words staff can act on.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StaffMessage } from '../engine/error-messages.js';
import type { SyncStatus } from '../engine/workspace.js';
import { formatDateTime, plural } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

/** An error shown in the status bar until dismissed. */
export interface ShownError extends StaffMessage {
  id: number;
}

const CONNECTION_LABELS: Record<SyncStatus['connection'], string> = {
  online: 'Online',
  connecting: 'Connecting…',
  offline: 'Offline',
};

@customElement('portico-status-bar')
export class StatusBar extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        border-top: 1px solid var(--border);
        background: var(--surface-muted);
        font-size: 0.9rem;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 1.25rem;
        padding: 0.4rem 1rem;
        flex-wrap: wrap;
      }
      .dot {
        display: inline-block;
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        margin-right: 0.35rem;
        background: var(--text-muted);
      }
      .dot.online {
        background: var(--ok);
      }
      .dot.connecting {
        background: var(--warning);
      }
      .pending {
        color: var(--warning);
        font-weight: 600;
      }
      .spacer {
        flex: 1;
      }
      button {
        padding: 0.15rem 0.6rem;
      }
      .errors {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .errors li {
        display: flex;
        gap: 1rem;
        align-items: flex-start;
        padding: 0.5rem 1rem;
        background: var(--danger-bg);
        border-bottom: 1px solid var(--border);
      }
      .errors .text {
        flex: 1;
      }
      .count {
        display: inline-block;
        min-width: 1.4rem;
        margin-left: 0.3rem;
        padding: 0 0.35rem;
        border-radius: 999px;
        background: var(--accent);
        color: var(--on-accent);
        font-weight: 600;
        text-align: center;
      }
      details {
        font-size: 0.8rem;
        color: var(--text-muted);
      }
    `,
  ];

  @property({ attribute: false }) status: SyncStatus = {
    connection: 'offline',
    pending: 0,
    lastSyncedAt: undefined,
  };
  @property({ attribute: false }) errors: ShownError[] = [];
  /** Pending portal reminders; the badge shows when there are any. */
  @property({ attribute: false }) reminderCount = 0;
  /** Transfers queued or running in the File Transfer Queue. */
  @property({ attribute: false }) activeTransfers = 0;
  @property({ attribute: false }) transfersOpen = false;

  override render() {
    const { connection, pending, lastSyncedAt } = this.status;
    return html`
      <section aria-label="Status">
        <div role="alert">
          <ul class="errors" aria-label="Problems">
            ${this.errors.map((error) => this.renderError(error))}
          </ul>
        </div>
        <div class="bar">
          <span role="status">
            <span class="dot ${connection}" aria-hidden="true"></span>
            ${CONNECTION_LABELS[connection]}
          </span>
          <span role="status" class=${pending > 0 ? 'pending' : ''}>
            ${
              pending === 0
                ? 'All changes saved'
                : `${plural(pending, 'change')} not yet saved`
            }
          </span>
          <span>
            Last sync:
            ${lastSyncedAt ? formatDateTime(lastSyncedAt) : 'not yet'}
          </span>
          <span class="spacer"></span>
          ${
            this.reminderCount > 0
              ? html`<button
                  class="reminders"
                  @click=${() => this.emit('reminders-open')}
                >
                  Portal reminders
                  <span class="count">${this.reminderCount}</span>
                </button>`
              : null
          }
          <button
            aria-expanded=${this.transfersOpen ? 'true' : 'false'}
            @click=${() => this.emit('transfers-toggle')}
          >
            File
            transfers${
              this.activeTransfers > 0
                ? ` (${this.activeTransfers} active)`
                : ''
            }
          </button>
          <button @click=${() => this.onToggle()}>
            ${connection === 'offline' ? 'Connect' : 'Work offline'}
          </button>
        </div>
      </section>
    `;
  }

  private renderError(error: ShownError) {
    return html`<li>
      <div class="text">
        <strong>${error.summary}</strong> ${error.action}
        <details>
          <summary>Details for your administrator</summary>
          ${error.detail}
        </details>
      </div>
      <button
        aria-label="Dismiss: ${error.summary}"
        @click=${() => this.emit('error-dismiss', error.id)}
      >
        Dismiss
      </button>
    </li>`;
  }

  private onToggle(): void {
    const goOnline = this.status.connection === 'offline';
    this.emit(goOnline ? 'go-online' : 'go-offline');
  }

  private emit(type: string, detail?: number): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-status-bar': StatusBar;
  }
}
