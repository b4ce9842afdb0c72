/**
 * The portal's shell: checks the session, opens the client's replica,
 * routes between views and draws the header with the firm's name, the
 * navigation and the offline notice.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { EngineError } from '@portico/engine';
import { fetchSession, logout } from '../api/auth.js';
import { ApiError, NETWORK_ERROR } from '../api/http.js';
import {
  EMPTY_SNAPSHOT,
  deleteLocalReplica,
  openPortalData,
  type PortalData,
  type PortalSnapshot,
} from '../engine/portal-data.js';
import { messageOf } from '../ui/messages.js';
import { baseStyles } from '../ui/styles.js';
import {
  NAVIGATE_EVENT,
  SESSION_CHANGED_EVENT,
  type SessionChange,
} from './events.js';
import { PUBLIC_ROUTES, parseRoute, type Route } from './routes.js';
import {
  forgetEmail,
  rememberEmail,
  rememberFirmName,
  rememberedEmail,
  rememberedFirmName,
} from './session.js';
import { renderRoute, routeTitle } from './views.js';

type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out' }
  | { kind: 'must-change'; email: string }
  /** `offlineStart` is true when the relay was unreachable at start. */
  | { kind: 'signed-in'; email: string; offlineStart: boolean };

const NAV_ITEMS = [
  { href: '/', label: 'Files', routes: ['files'] },
  { href: '/invoices', label: 'Invoices', routes: ['invoices', 'invoice'] },
  {
    href: '/payments',
    label: 'Payments',
    routes: ['payments', 'payment-return'],
  },
] as const;

@customElement('portico-portal-app')
export class PortalApp extends LitElement {
  static override styles = [baseStyles, shellStyles()];

  @state() private session: SessionState = { kind: 'checking' };
  @state() private route: Route = parseRoute(new URL(location.href));
  @state() private snapshot: PortalSnapshot = EMPTY_SNAPSHOT;
  @state() private everOnline = false;
  @state() private notice = '';
  @state() private failure = '';

  private data: PortalData | undefined;
  private opening: Promise<void> | undefined;
  private unsubscribers: (() => void)[] = [];
  /** Path to open after login, when a private page was opened signed out. */
  private returnTo: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
    this.addEventListener('click', this.onClick);
    this.addEventListener(NAVIGATE_EVENT, this.onNavigate);
    this.addEventListener(SESSION_CHANGED_EVENT, this.onSessionChanged);
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
    this.removeEventListener('click', this.onClick);
    this.removeEventListener(NAVIGATE_EVENT, this.onNavigate);
    this.removeEventListener(SESSION_CHANGED_EVENT, this.onSessionChanged);
    void this.closeData();
  }

  override updated(): void {
    document.title = `${routeTitle(this.route)} – ${this.firmName()}`;
  }

  override render() {
    return html`
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <div class="bar">
          <span class="firm" data-firm-name>${this.firmName()}</span>
          ${this.renderAccount()}
        </div>
        ${this.renderNav()}
      </header>
      ${this.renderOfflineNotice()}
      <main id="main" tabindex="-1">
        ${
          this.notice
            ? html`<p class="notice" role="status">${this.notice}</p>`
            : nothing
        }
        ${
          this.failure
            ? html`<p class="error" role="alert">${this.failure}</p>`
            : nothing
        }
        ${this.renderPage()}
      </main>
    `;
  }

  /**
   * Returns the firm's name from the synced settings, or the one this
   * device saw last. NOTE: a first visit shows "Client portal" until the
   * first sync, because the relay offers no public route for the name.
   */
  private firmName(): string {
    const synced = this.snapshot.settings?.firmName;
    return synced || rememberedFirmName() || 'Client portal';
  }

  // Session -----------------------------------------------------------------

  private async checkSession(): Promise<void> {
    try {
      const session = await fetchSession();
      if (session === undefined) return this.signedOut();
      if (session.role !== 'client') {
        await logout().catch(() => undefined);
        this.notice =
          'This is a staff account. Staff work in the staff app at /staff/.';
        return this.signedOut();
      }
      rememberEmail(session.email);
      if (session.mustChangePassword) {
        this.session = { kind: 'must-change', email: session.email };
        return;
      }
      this.session = {
        kind: 'signed-in',
        email: session.email,
        offlineStart: false,
      };
      await this.openData();
    } catch (error) {
      await this.sessionCheckFailed(error);
    }
  }

  /** Opens the replica of the last client on this device if offline. */
  private async sessionCheckFailed(error: unknown): Promise<void> {
    const email = rememberedEmail();
    const unreachable =
      error instanceof ApiError && error.code === NETWORK_ERROR;
    if (unreachable && email !== undefined) {
      this.session = { kind: 'signed-in', email, offlineStart: true };
      await this.openData();
      return;
    }
    this.failure = messageOf(error);
    this.signedOut();
  }

  private signedOut(): void {
    this.session = { kind: 'signed-out' };
    void this.closeData();
    if (!PUBLIC_ROUTES.has(this.route.name)) {
      this.returnTo = location.pathname + location.search;
      this.go('/login', true);
    }
  }

  private async logOut(): Promise<void> {
    try {
      await logout();
    } catch (error) {
      // Offline the relay keeps the session, but the replica is deleted below.
      this.failure = messageOf(error);
    }
    await this.closeData();
    await deleteLocalReplica().catch(() => undefined);
    forgetEmail();
    this.snapshot = EMPTY_SNAPSHOT;
    this.everOnline = false;
    this.returnTo = undefined;
    this.notice = 'You are logged out.';
    this.session = { kind: 'signed-out' };
    this.go('/login', false);
  }

  // Replica -----------------------------------------------------------------

  private openData(): Promise<void> {
    this.opening ??= this.openDataOnce().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openDataOnce(): Promise<void> {
    if (this.data !== undefined) return;
    try {
      this.data = await openPortalData();
    } catch (error) {
      this.failure = `Your portal data could not be opened. ${messageOf(error)}`;
      return;
    }
    this.unsubscribers = [
      this.data.subscribe((snapshot) => this.applySnapshot(snapshot)),
      this.data.onError((error) => this.engineError(error)),
    ];
  }

  private applySnapshot(snapshot: PortalSnapshot): void {
    this.snapshot = snapshot;
    if (snapshot.connection === 'online') this.everOnline = true;
    const firmName = snapshot.settings?.firmName;
    if (firmName) rememberFirmName(firmName);
  }

  private engineError(error: EngineError): void {
    // The relay closed the sync connection for good, most often because
    // the login expired or the password changed elsewhere, so the session
    // is checked again.
    if (error.kind === 'connection-rejected') void this.checkSession();
    // NOTE: other engine errors (a record that fails its schema) only
    // hide that record; they are logged for support, not shown.
    console.warn('Portal engine:', error.message);
  }

  private async closeData(): Promise<void> {
    const data = this.data;
    this.data = undefined;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    await data?.close();
  }

  // Routing -----------------------------------------------------------------

  private readonly onPopState = (): void => {
    this.route = parseRoute(new URL(location.href));
  };

  private readonly onNavigate = (event: Event): void => {
    this.go((event as CustomEvent<string>).detail, false);
  };

  private readonly onSessionChanged = (event: Event): void => {
    const change = (event as CustomEvent<SessionChange>).detail;
    this.notice = '';
    this.failure = '';
    void this.checkSession().then(() => {
      // The relay may end every session when the password changes; then
      // the client logs in again with the new password.
      if (change === 'password-changed' && this.session.kind === 'signed-out') {
        this.notice =
          'Your password is changed. Log in with your new password.';
      }
      this.afterLogin();
    });
  };

  /** Follows same-origin links inside the app without a page load. */
  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    const anchor = event
      .composedPath()
      .find(
        (target): target is HTMLAnchorElement =>
          target instanceof HTMLAnchorElement,
      );
    if (anchor === undefined || anchor.hasAttribute('download')) return;
    if (anchor.classList.contains('skip')) {
      // The fragment cannot reach into the shadow root, so focus by hand.
      event.preventDefault();
      this.focusMain();
      return;
    }
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || url.hash !== '') return;
    if (url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    this.notice = '';
    this.failure = '';
    this.go(url.pathname + url.search, false);
  };

  private go(url: string, replace: boolean): void {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.route = parseRoute(new URL(location.href));
    // Moves screen readers and the tab order to the new page.
    void this.updateComplete.then(() => this.focusMain());
  }

  private focusMain(): void {
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }

  private afterLogin(): void {
    if (this.session.kind !== 'signed-in') return;
    const target = this.returnTo ?? '/';
    this.returnTo = undefined;
    if (PUBLIC_ROUTES.has(this.route.name) || target !== '/') {
      this.go(target, true);
    }
  }

  // Rendering ---------------------------------------------------------------

  private renderPage() {
    const session = this.session;
    switch (session.kind) {
      case 'checking':
        return html`<p class="muted" role="status">Loading your portal…</p>`;
      case 'must-change':
        return html`<portal-password
          mode="change"
          .email=${session.email}
        ></portal-password>`;
      case 'signed-out':
        return renderRoute(
          PUBLIC_ROUTES.has(this.route.name) ? this.route : { name: 'login' },
          this.snapshot,
          false,
        );
      case 'signed-in':
        return renderRoute(this.route, this.snapshot, this.isOffline());
    }
  }

  private renderAccount() {
    if (
      this.session.kind === 'signed-in' ||
      this.session.kind === 'must-change'
    ) {
      return html`<div class="account">
        <span class="email muted">${this.session.email}</span>
        <button
          type="button"
          class="secondary"
          @click=${() => void this.logOut()}
        >
          Log out
        </button>
      </div>`;
    }
    return nothing;
  }

  private renderNav() {
    if (this.session.kind !== 'signed-in') return nothing;
    const current = this.route.name;
    return html`<nav aria-label="Portal">
      <ul>
        ${NAV_ITEMS.map(
          (item) =>
            html`<li>
              <a
                href=${item.href}
                aria-current=${
                  (item.routes as readonly string[]).includes(current)
                    ? 'page'
                    : 'false'
                }
                >${item.label}</a
              >
            </li>`,
        )}
      </ul>
    </nav>`;
  }

  private renderOfflineNotice() {
    if (!this.isOffline()) return nothing;
    return html`<div class="offline" role="status" data-offline-notice>
      <strong>You are offline.</strong> You see your files, invoices and
      payments as of your last connection. Uploads, downloads and payments work
      again once the connection returns.
    </div>`;
  }

  private isOffline(): boolean {
    if (this.session.kind !== 'signed-in' || this.data === undefined) {
      return false;
    }
    // Until the first connection succeeds, "connecting" is the normal
    // start, not an outage, unless the session check already failed.
    const started = this.everOnline || this.session.offlineStart;
    return started && this.snapshot.connection !== 'online';
  }
}

function shellStyles() {
  return css`
    :host {
      display: block;
      min-height: 100vh;
    }
    .skip {
      position: absolute;
      left: -999px;
      top: 0;
      background: #fff;
      padding: 0.5rem 1rem;
      z-index: 1;
    }
    .skip:focus {
      left: 0.5rem;
    }
    header {
      background: var(--primary-dark, #102a43);
      color: #fff;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 0.5rem 1rem;
      max-width: 60rem;
      margin: 0 auto;
      padding: 0.75rem 1rem;
    }
    .firm {
      font-size: 1.15rem;
      font-weight: 700;
    }
    .account {
      display: flex;
      align-items: center;
      gap: 0.75rem;
      flex-wrap: wrap;
    }
    .account .email {
      color: #d9e2ec;
      overflow-wrap: anywhere;
    }
    .account button {
      min-height: 2.25rem;
      border-color: #fff;
    }
    nav ul {
      display: flex;
      gap: 0.25rem;
      list-style: none;
      margin: 0 auto;
      padding: 0 0.5rem;
      max-width: 60rem;
      overflow-x: auto;
    }
    nav a {
      display: block;
      padding: 0.75rem 1rem;
      color: #fff;
      text-decoration: none;
      border-bottom: 3px solid transparent;
    }
    nav a[aria-current='page'] {
      border-bottom-color: var(--focus, #f0b429);
      font-weight: 700;
    }
    .offline {
      background: #fff3c4;
      color: #513c06;
      border-bottom: 1px solid #e9b949;
      padding: 0.6rem 1rem;
      text-align: center;
    }
    main {
      max-width: 60rem;
      margin: 0 auto;
      padding: 1rem;
      display: grid;
      /* minmax(0, ...) lets wide tables scroll instead of widening the page. */
      grid-template-columns: minmax(0, 1fr);
      gap: 1rem;
    }
    main:focus {
      outline: none;
    }
    @media (min-width: 720px) {
      main {
        padding: 1.5rem 2rem;
      }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-portal-app': PortalApp;
  }
}
