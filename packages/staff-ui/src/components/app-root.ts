/**
 * The app root: checks the session, shows the login form or the main
 * window, and opens and closes the account's local replica. A staff member
 * who signed in before can start the app with no network. The replica then
 * works offline and syncs when the relay can be reached again.
 */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { AuthClient, AuthError, type StaffAccount } from '../auth/session.js';
import { replicaName, Workspace } from '../engine/workspace.js';
import { acquireTabLock, type ReleaseLock } from '../offline/tab-lock.js';
import { baseStyles } from '../ui/styles.js';
import type { LoginSubmitEvent } from './login-view.js';
import './login-view.js';
import './workspace-view.js';

type Screen =
  | { kind: 'starting' }
  | { kind: 'login'; error?: string; notice?: string; busy?: boolean }
  | { kind: 'opening'; account: StaffAccount }
  | { kind: 'ready'; account: StaffAccount; workspace: Workspace }
  | { kind: 'failed'; message: string };

const OPEN_ELSEWHERE =
  'Portico is already open for this account in another tab or window of ' +
  'this browser. Use that one, or close it and reload this page.';

@customElement('portico-staff-app')
export class StaffApp extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      .center {
        display: grid;
        place-items: center;
        min-height: 100vh;
        padding: 2rem;
        text-align: center;
      }
    `,
  ];

  @state() private screen: Screen = { kind: 'starting' };
  private releaseLock: ReleaseLock | undefined;
  private readonly auth = new AuthClient({
    relayUrl: location.origin,
    storage: localStorage,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override render() {
    const screen = this.screen;
    switch (screen.kind) {
      case 'starting':
      case 'opening':
        return html`<main class="center" aria-busy="true">
          <p role="status">Opening Portico…</p>
        </main>`;
      case 'login':
        return html`<portico-login
          .error=${screen.error ?? ''}
          .notice=${screen.notice ?? ''}
          ?busy=${screen.busy === true}
          @login-submit=${(event: LoginSubmitEvent) => void this.onLogin(event)}
        ></portico-login>`;
      case 'ready':
        return html`<portico-workspace-view
          .workspace=${screen.workspace}
          email=${screen.account.email}
          @logout=${() => void this.onLogout()}
        ></portico-workspace-view>`;
      case 'failed':
        return html`<main class="center">
          <div role="alert">
            <h1>Portico could not start</h1>
            <p>${screen.message}</p>
            <button @click=${() => location.reload()}>Reload</button>
          </div>
        </main>`;
    }
  }

  private async start(): Promise<void> {
    try {
      const check = await this.auth.check();
      if (check.kind === 'signed-out') this.screen = { kind: 'login' };
      else await this.open(check.account);
    } catch (error) {
      this.screen = { kind: 'login', error: messageOf(error) };
    }
  }

  private async onLogin(event: LoginSubmitEvent): Promise<void> {
    this.screen = { kind: 'login', busy: true };
    try {
      const account = await this.auth.login(event.email, event.password);
      await this.open(account);
    } catch (error) {
      this.screen = { kind: 'login', error: messageOf(error) };
    }
  }

  private async open(account: StaffAccount): Promise<void> {
    this.screen = { kind: 'opening', account };
    const release = await acquireTabLock(replicaName(account.email));
    if (release === undefined) {
      this.screen = { kind: 'failed', message: OPEN_ELSEWHERE };
      return;
    }

    try {
      const workspace = await Workspace.open({
        relayUrl: location.origin,
        email: account.email,
        indexedDB,
        IDBKeyRange,
        storage: localStorage,
      });
      this.releaseLock = release;
      this.screen = { kind: 'ready', account, workspace };
    } catch (error) {
      release();
      const reason = error instanceof Error ? error.message : String(error);
      this.screen = {
        kind: 'failed',
        message:
          `Opening the data on this computer failed: ${reason}. Close ` +
          'other Portico tabs and reload; if this repeats, tell your ' +
          'administrator.',
      };
    }
  }

  /** Closes the replica (its unsaved changes stay stored) and signs out. */
  private async onLogout(): Promise<void> {
    if (this.screen.kind !== 'ready') return;
    const { workspace } = this.screen;
    const pending = workspace.pendingChanges;
    this.screen = { kind: 'starting' };
    await workspace.close();
    this.releaseLock?.();
    this.releaseLock = undefined;
    const reached = await this.auth.logout();
    const notices = [
      pending > 0
        ? 'Your unsaved changes are kept on this computer and sent at your next login.'
        : '',
      reached
        ? ''
        : 'The relay could not be reached; the session ends when it expires.',
    ];
    this.screen = {
      kind: 'login',
      notice: notices.filter(Boolean).join(' ') || 'You are logged out.',
    };
  }
}

/**
 * Formats an error for the login form. AuthError messages are written for
 * staff. Any other error is unexpected, so it is shown with a next step
 * instead of leaving the screen stuck.
 */
function messageOf(error: unknown): string {
  if (error instanceof AuthError) return error.message;
  const reason = error instanceof Error ? error.message : String(error);
  return (
    `Portico failed: ${reason}. Reload the page and try again; if this ` +
    'repeats, tell your administrator.'
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-staff-app': StaffApp;
  }
}
