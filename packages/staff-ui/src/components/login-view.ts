/** The login form. The app root performs the login; this view collects it. */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from '../ui/styles.js';

export class LoginSubmitEvent extends Event {
  constructor(
    readonly email: string,
    readonly password: string,
  ) {
    super('login-submit', { bubbles: true, composed: true });
  }
}

@customElement('portico-login')
export class LoginView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100vh;
        padding: 1rem;
        background: var(--page-bg);
      }
      main {
        width: min(24rem, 100%);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 10px;
        padding: 1.75rem 2rem;
        box-shadow: 0 4px 20px rgb(0 0 0 / 0.06);
      }
      h1 {
        font-size: 1.4rem;
        margin-bottom: 0.25rem;
      }
      p.hint {
        margin: 0 0 1.25rem;
      }
      button.primary {
        width: 100%;
        margin-top: 0.5rem;
      }
      .error {
        color: var(--danger);
        margin: 0 0 1rem;
      }
    `,
  ];

  @property() error = '';
  @property({ type: Boolean }) busy = false;
  /** Shown above the form, such as after a logout. */
  @property() notice = '';

  override render() {
    return html`<main>
      <h1>Portico</h1>
      <p class="hint">Staff sign-in</p>
      ${this.notice ? html`<p role="status">${this.notice}</p>` : null}
      ${
        this.error
          ? html`<p class="error" role="alert" id="login-error">
              ${this.error}
            </p>`
          : null
      }
      <form
        @submit=${(event: SubmitEvent) => this.onSubmit(event)}
        aria-describedby=${this.error ? 'login-error' : ''}
      >
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            autofocus
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>`;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const email = textOf(data.get('email')).trim();
    const password = textOf(data.get('password'));
    this.dispatchEvent(new LoginSubmitEvent(email, password));
  }
}

function textOf(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-login': LoginView;
  }
}
