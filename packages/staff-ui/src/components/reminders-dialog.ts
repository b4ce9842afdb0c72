/**
 * The portal reminders dialog: pending invitations and file notices with
 * checkboxes, a preview of each email exactly as the relay will send it,
 * and Send selected, Send all and Later. Reminders left unsent stay
 * pending, and staff are asked again at logout.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  messageOf,
  type Reminder,
  type RenderedMessage,
} from '../engine/portal-actions.js';
import type { Workspace } from '../engine/workspace.js';
import { formatDateTime, plural } from '../ui/format.js';
import { recipientLabel, reminderKindLabel } from '../ui/reminders.js';
import { baseStyles } from '../ui/styles.js';

type PreviewState =
  | { kind: 'none' }
  | { kind: 'loading'; id: string }
  | { kind: 'shown'; id: string; message: RenderedMessage }
  | { kind: 'failed'; id: string; error: string };

@customElement('portico-reminders-dialog')
export class RemindersDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog {
        max-width: min(60rem, 94vw);
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr);
        gap: 1rem;
        margin: 0.75rem 0 1rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 50vh;
        overflow-y: auto;
        border: 1px solid var(--border);
        border-radius: 6px;
      }
      li {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        padding: 0.5rem 0.6rem;
        border-bottom: 1px solid var(--border);
      }
      li.previewed {
        background: var(--selected-bg);
      }
      li input {
        width: auto;
        margin-top: 0.3rem;
      }
      li .who {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .preview {
        border: 1px solid var(--border);
        border-radius: 6px;
        padding: 0.75rem;
        min-height: 20rem;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      .preview h3 {
        font-size: 1rem;
        overflow-wrap: anywhere;
      }
      iframe {
        flex: 1;
        width: 100%;
        min-height: 16rem;
        border: 1px solid var(--border);
        border-radius: 4px;
        background: white;
      }
      pre {
        flex: 1;
        margin: 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font: inherit;
        max-height: 40vh;
        overflow-y: auto;
      }
      .switch button[aria-pressed='true'] {
        background: var(--selected-bg);
        border-color: var(--accent);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @state() private reminders: Reminder[] = [];
  @state() private selected = new Set<string>();
  @state() private preview: PreviewState = { kind: 'none' };
  @state() private format: 'html' | 'text' = 'html';
  @state() private notice = '';
  @state() private error = '';
  @state() private busy = false;
  @state() private prompted = false;
  @query('dialog') private dialog!: HTMLDialogElement;
  private stopWatching: (() => void) | undefined;

  /**
   * Opens the dialog. With `prompt`, it starts with "You have portal
   * reminders ready to be sent"; `ids` are ticked and the first previewed,
   * otherwise every reminder is ticked.
   */
  async show(options: { prompt?: boolean; ids?: readonly string[] } = {}) {
    this.prompted = options.prompt ?? false;
    this.notice = '';
    this.error = '';
    this.reminders = await this.workspace.portal.listPendingReminders();
    const requested = options.ids?.length ? new Set(options.ids) : undefined;
    this.selected = new Set(
      this.reminders
        .map((r) => r.id)
        .filter((id) => requested?.has(id) ?? true),
    );
    this.watch();
    // A second action may ask for the dialog while it is open.
    if (!this.dialog.open) this.dialog.showModal();
    const first = this.reminders.find((r) => this.selected.has(r.id));
    if (first) await this.showPreview(first.id);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwatch();
  }

  override render() {
    return html`<dialog
      aria-labelledby="reminders-heading"
      @close=${() => this.onClose()}
    >
      <h2 id="reminders-heading">Portal reminders</h2>
      ${
        this.prompted
          ? html`<p>
              <strong>You have portal reminders ready to be sent.</strong>
            </p>`
          : null
      }
      ${
        this.reminders.length === 0
          ? html`<p>No portal reminders are waiting to be sent.</p>`
          : html`<div class="layout">
              ${this.renderList()} ${this.renderPreview()}
            </div>`
      }
      <p role="status">${this.notice}</p>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : null}
      <div class="actions">
        <button
          class="primary"
          ?disabled=${this.busy || this.selected.size === 0}
          @click=${() => void this.send([...this.selected])}
        >
          Send selected (${this.selected.size})
        </button>
        <button
          ?disabled=${this.busy || this.reminders.length === 0}
          @click=${() => void this.send(this.reminders.map((r) => r.id))}
        >
          Send all
        </button>
        <button @click=${() => this.dialog.close()}>Later</button>
      </div>
    </dialog>`;
  }

  private renderList() {
    const contacts = this.workspace.contacts;
    return html`<ul aria-label="Reminders ready to be sent">
      ${this.reminders.map((reminder) => {
        const recipient = recipientLabel(reminder, contacts);
        const kind = reminderKindLabel(reminder.kind);
        const previewed =
          this.preview.kind !== 'none' && this.preview.id === reminder.id;
        return html`<li class=${previewed ? 'previewed' : ''}>
          <input
            type="checkbox"
            id="check-${reminder.id}"
            aria-label="Send ${kind} to ${recipient}"
            .checked=${this.selected.has(reminder.id)}
            @change=${() => this.toggle(reminder.id)}
          />
          <div class="who">
            <div>${kind}</div>
            <div class="hint">${recipient}</div>
            <div class="hint">${formatDateTime(reminder.createdAt)}</div>
          </div>
          <button
            aria-label="Preview ${kind} to ${recipient}"
            aria-pressed=${previewed ? 'true' : 'false'}
            @click=${() => void this.showPreview(reminder.id)}
          >
            Preview
          </button>
        </li>`;
      })}
    </ul>`;
  }

  private renderPreview() {
    const preview = this.preview;
    switch (preview.kind) {
      case 'none':
        return html`<div class="preview hint">
          Choose Preview to see an email as it will be sent.
        </div>`;
      case 'loading':
        return html`<div class="preview hint">Loading the preview…</div>`;
      case 'failed':
        return html`<div class="preview field-error" role="alert">
          The preview failed: ${preview.error}
        </div>`;
      case 'shown':
        return this.renderMessage(preview.message);
    }
  }

  private renderMessage(message: RenderedMessage) {
    // The sandbox without allow-scripts keeps any script in the email
    // from running, and srcdoc keeps the preview off the network.
    return html`<section class="preview" aria-label="Email preview">
      <div class="hint">Subject</div>
      <h3 id="preview-subject">${message.subject}</h3>
      <div class="actions switch" role="group" aria-label="Preview format">
        ${this.renderFormat('html', 'HTML')}
        ${this.renderFormat('text', 'Text')}
      </div>
      ${
        this.format === 'html'
          ? html`<iframe
              sandbox=""
              title="HTML body of the email"
              .srcdoc=${message.html}
            ></iframe>`
          : html`<pre aria-label="Text body of the email" tabindex="0">
${message.text}</pre>`
      }
    </section>`;
  }

  private renderFormat(format: 'html' | 'text', label: string) {
    return html`<button
      aria-pressed=${this.format === format ? 'true' : 'false'}
      @click=${() => (this.format = format)}
    >
      ${label}
    </button>`;
  }

  private async showPreview(id: string): Promise<void> {
    this.preview = { kind: 'loading', id };
    try {
      const message = await this.workspace.portal.previewReminder(id);
      if (this.preview.kind === 'loading' && this.preview.id === id) {
        this.preview = { kind: 'shown', id, message };
      }
    } catch (error) {
      this.preview = { kind: 'failed', id, error: messageOf(error) };
    }
  }

  private async send(ids: string[]): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const count = await this.workspace.portal.sendReminders(ids);
      this.notice =
        `${plural(count, 'reminder')} queued. The relay sends ` +
        `${count === 1 ? 'it' : 'them'} when this computer is online.`;
    } catch (error) {
      this.error = `Sending failed: ${messageOf(error)}`;
    } finally {
      this.busy = false;
    }
  }

  private toggle(id: string): void {
    const next = new Set(this.selected);
    if (!next.delete(id)) next.add(id);
    this.selected = next;
  }

  private watch(): void {
    this.unwatch();
    this.stopWatching = this.workspace.portal.watchReminders((reminders) => {
      this.reminders = reminders;
      const ids = new Set(reminders.map((r) => r.id));
      this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
      if (this.preview.kind !== 'none' && !ids.has(this.preview.id)) {
        this.preview = { kind: 'none' };
      }
    });
  }

  private unwatch(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  private onClose(): void {
    this.unwatch();
    this.preview = { kind: 'none' };
    this.dispatchEvent(
      new Event('reminders-closed', { bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-reminders-dialog': RemindersDialog;
  }
}
