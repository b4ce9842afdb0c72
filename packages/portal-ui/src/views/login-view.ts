import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { login, logout } from '../api/auth.js';
import { sessionChanged } from '../app/events.js';
import { baseStyles } from '../ui/styles.js';
import { textField } from '../ui/forms.js';
import { messageOf } from '../ui/messages.js';

/** The login form; a temporary password from the invitation works here. */
@customElement('portal-login')
export class LoginView extends LitElement {
  static override styles = [baseStyles];

  @state() private busy = false;
  @state() private error = '';

  override render() {
    return html`
      <section class="card" aria-labelledby="login-title">
        <h1 id="login-title">Log in</h1>
        <p class="muted">
          Use the email address and password from your invitation email.
        </p>
        <form @submit=${(event: SubmitEvent) => void this.submit(event)}>
          <label>
            Email
            <input name="email" type="email" autocomplete="username" required />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
            />
          </label>
          ${
            this.error
              ? html`<p class="error" role="alert">${this.error}</p>`
              : nothing
          }
          <button type="submit" ?disabled=${this.busy}>
            ${this.busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
        <p><a href="/forgot-password">Forgot your password?</a></p>
      </section>
    `;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const email = textField(data, 'email').trim();
    const password = textField(data, 'password');
    this.busy = true;
    this.error = '';
    try {
      const result = await login(email, password);
      if (result.role !== 'client') {
        // A staff session would only get 403s here; end it at once.
        await logout().catch(() => undefined);
        this.error =
          'This is a staff account. Staff work in the staff app at /staff/.';
        return;
      }
      sessionChanged(this);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-login': LoginView;
  }
}
