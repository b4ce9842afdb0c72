/**
 * The main window once signed in: the toolbar, the contact list on the
 * left, the selected contact on the right and the status bar below. It
 * owns the dialogs that act on the whole replica: new contact, import and
 * logout.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { describeEngineError } from '../engine/error-messages.js';
import type { Contact, SyncStatus, Workspace } from '../engine/workspace.js';
import { plural } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';
import type { ContactForm, ContactSaveEvent } from './contact-form.js';
import type { ContactSelectEvent } from './contact-list.js';
import type { ImportDialog } from './import-dialog.js';
import type { RemindersDialog } from './reminders-dialog.js';
import type { RemindersReadyEvent } from '../ui/reminders.js';
import type { ShownError } from './status-bar.js';
import './contact-detail.js';
import './contact-form.js';
import './contact-list.js';
import './import-dialog.js';
import './reminders-dialog.js';
import './transfer-panel.js';
import './status-bar.js';

/**
 * How long "Send now" at logout waits for the relay to store the queued
 * reminders before the unsaved-changes check; offline it does not wait.
 */
const SEND_AT_LOGOUT_WAIT_MS = 5_000;

/** Errors beyond this many push the oldest out, so the bar stays short. */
const MAX_SHOWN_ERRORS = 3;

@customElement('portico-workspace-view')
export class WorkspaceView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto minmax(0, 1fr) auto auto;
        height: 100vh;
        min-width: 0;
      }
      header {
        display: flex;
        align-items: center;
        gap: 1rem;
        padding: 0.6rem 1rem;
        background: var(--header-bg);
        color: var(--on-header);
      }
      header h1 {
        font-size: 1.1rem;
        letter-spacing: 0.02em;
      }
      header .account {
        margin-left: auto;
        opacity: 0.85;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      header button {
        background: transparent;
        color: var(--on-header);
        border-color: rgb(255 255 255 / 0.45);
      }
      header button:hover:not(:disabled) {
        background: rgb(255 255 255 / 0.12);
      }
      main {
        display: grid;
        grid-template-columns: minmax(16rem, 22rem) minmax(0, 1fr);
        min-height: 0;
      }
      .empty {
        padding: 2rem 1.5rem;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @property() email = '';
  @state() private contacts: Contact[] = [];
  @state() private selectedId: string | undefined;
  @state() private status: SyncStatus = {
    connection: 'offline',
    pending: 0,
    lastSyncedAt: undefined,
  };
  @state() private errors: ShownError[] = [];
  @state() private createError = '';
  @state() private loggingOut = false;
  @state() private reminderCount = 0;
  @state() private transfersOpen = false;
  @state() private activeTransfers = 0;
  @query('#new-dialog') private newDialog!: HTMLDialogElement;
  @query('#logout-dialog') private logoutDialog!: HTMLDialogElement;
  @query('portico-import-dialog') private importDialog!: ImportDialog;
  @query('portico-reminders-dialog') private remindersDialog!: RemindersDialog;
  @query('#logout-reminders-dialog')
  private logoutRemindersDialog!: HTMLDialogElement;
  private stops: (() => void)[] = [];
  private errorCount = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stops = [
      this.workspace.watchContacts((contacts) => (this.contacts = contacts)),
      this.workspace.watchStatus((status) => (this.status = status)),
      this.workspace.portal.watchReminders(
        (reminders) => (this.reminderCount = reminders.length),
      ),
      this.workspace.files.watchTransfers((transfers) => {
        const active = transfers.filter(
          (t) => t.state === 'queued' || t.state === 'running',
        ).length;
        if (active > this.activeTransfers) this.transfersOpen = true;
        this.activeTransfers = active;
      }),
      this.workspace.watchErrors((error) => {
        const shown = { id: ++this.errorCount, ...describeEngineError(error) };
        this.errors = [...this.errors, shown].slice(-MAX_SHOWN_ERRORS);
      }),
    ];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stops) stop();
    this.stops = [];
  }

  override render() {
    const selected = this.contacts.find((c) => c.id === this.selectedId);
    return html`
      <header>
        <h1>Portico</h1>
        <div class="actions">
          <button @click=${() => void this.openNew()}>New contact</button>
          <button @click=${() => this.importDialog.show()}>
            Import contacts…
          </button>
        </div>
        <span class="account">Signed in as ${this.email}</span>
        <button @click=${() => void this.onLogout()}>Log out</button>
      </header>
      <main
        @reminders-ready=${(event: RemindersReadyEvent) =>
          void this.remindersDialog.show({ prompt: true, ids: event.ids })}
      >
        <portico-contact-list
          .contacts=${this.contacts}
          .selectedId=${this.selectedId}
          @contact-select=${(event: ContactSelectEvent) =>
            (this.selectedId = event.contactId)}
        ></portico-contact-list>
        ${
          selected
            ? html`<portico-contact-detail
                .workspace=${this.workspace}
                .contact=${selected}
                @contact-deleted=${() => (this.selectedId = undefined)}
              ></portico-contact-detail>`
            : html`<p class="empty hint">
                Select a contact on the left, or create a new one.
              </p>`
        }
      </main>
      ${
        this.transfersOpen
          ? html`<portico-transfer-panel
              .workspace=${this.workspace}
              @panel-close=${() => (this.transfersOpen = false)}
            ></portico-transfer-panel>`
          : null
      }
      <portico-status-bar
        .status=${this.status}
        .errors=${this.errors}
        .reminderCount=${this.reminderCount}
        .activeTransfers=${this.activeTransfers}
        .transfersOpen=${this.transfersOpen}
        @reminders-open=${() => void this.remindersDialog.show()}
        @transfers-toggle=${() => (this.transfersOpen = !this.transfersOpen)}
        @go-online=${() => this.workspace.goOnline()}
        @go-offline=${() => this.workspace.goOffline()}
        @error-dismiss=${(event: CustomEvent<number>) =>
          (this.errors = this.errors.filter((e) => e.id !== event.detail))}
      ></portico-status-bar>
      ${this.renderNewDialog()} ${this.renderLogoutDialog()}
      ${this.renderLogoutRemindersDialog()}
      <portico-import-dialog
        .workspace=${this.workspace}
      ></portico-import-dialog>
      <portico-reminders-dialog
        .workspace=${this.workspace}
      ></portico-reminders-dialog>
    `;
  }

  private renderNewDialog() {
    return html`<dialog id="new-dialog" aria-labelledby="new-heading">
      <h2 id="new-heading">New contact</h2>
      <portico-contact-form
        submitLabel="Create contact"
        .saveError=${this.createError}
        @contact-save=${(event: ContactSaveEvent) => void this.onCreate(event)}
        @contact-cancel=${() => this.newDialog.close()}
      ></portico-contact-form>
    </dialog>`;
  }

  private renderLogoutDialog() {
    const pending = this.status.pending;
    return html`<dialog id="logout-dialog" aria-labelledby="logout-heading">
      <h2 id="logout-heading">Log out?</h2>
      <p role="status">
        ${
          pending > 0
            ? unsavedAtLogout(pending)
            : 'All changes are saved on the relay.'
        }
      </p>
      <div class="actions">
        <button class="primary" @click=${() => this.logOut()}>Log out</button>
        <button autofocus @click=${() => this.logoutDialog.close()}>
          Stay logged in
        </button>
      </div>
    </dialog>`;
  }

  private renderLogoutRemindersDialog() {
    return html`<dialog
      id="logout-reminders-dialog"
      aria-labelledby="logout-reminders-heading"
      aria-describedby="logout-reminders-text"
    >
      <h2 id="logout-reminders-heading">
        You have portal reminders ready to be sent
      </h2>
      <p id="logout-reminders-text">
        ${plural(this.reminderCount, 'reminder')}
        ${this.reminderCount === 1 ? 'is' : 'are'} waiting. Send them now, or
        keep them for later: they stay on this computer and you are asked again
        at the next logout.
      </p>
      <div class="actions">
        <button class="primary" @click=${() => void this.sendAndLogOut()}>
          Send now
        </button>
        <button autofocus @click=${() => this.laterAndLogOut()}>Later</button>
        <button @click=${() => this.logoutRemindersDialog.close()}>
          Stay logged in
        </button>
      </div>
    </dialog>`;
  }

  private async openNew(): Promise<void> {
    this.createError = '';
    const form = this.renderRoot.querySelector<ContactForm>(
      '#new-dialog portico-contact-form',
    );
    form?.reset();
    this.newDialog.showModal();
    await form?.updateComplete;
    form?.renderRoot.querySelector<HTMLElement>('input[type="text"]')?.focus();
  }

  private async onCreate(event: ContactSaveEvent): Promise<void> {
    try {
      const contact = await this.workspace.createContact(event.draft);
      this.newDialog.close();
      this.selectedId = contact.id;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.createError = `Creating the contact failed: ${reason}`;
    }
  }

  private async onLogout(): Promise<void> {
    const reminders = await this.workspace.portal.listPendingReminders();
    if (reminders.length > 0) {
      this.logoutRemindersDialog.showModal();
      return;
    }
    this.confirmLogout();
  }

  private async sendAndLogOut(): Promise<void> {
    this.logoutRemindersDialog.close();
    await this.workspace.portal.sendAllReminders();
    if (this.status.connection === 'online') {
      await this.workspace.waitForAllSaved(SEND_AT_LOGOUT_WAIT_MS);
    }
    this.confirmLogout();
  }

  private laterAndLogOut(): void {
    this.logoutRemindersDialog.close();
    this.confirmLogout();
  }

  /** Logs out, first saying how many changes are not yet on the relay. */
  private confirmLogout(): void {
    if (this.status.pending > 0) {
      this.logoutDialog.showModal();
      return;
    }
    this.logOut();
  }

  private logOut(): void {
    if (this.loggingOut) return;
    this.loggingOut = true;
    if (this.logoutDialog.open) this.logoutDialog.close();
    this.dispatchEvent(new Event('logout', { bubbles: true, composed: true }));
  }
}

function unsavedAtLogout(pending: number): string {
  const [verb, pronoun] = pending === 1 ? ['is', 'It is'] : ['are', 'They are'];
  return (
    `${plural(pending, 'change')} on this computer ${verb} not yet saved ` +
    `on the relay. ${pronoun} kept here and sent the next time you log in ` +
    'on this computer.'
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-workspace-view': WorkspaceView;
  }
}
