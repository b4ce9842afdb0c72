import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { requestPasswordReset } from '../api/auth.js';
import { messageOf } from '../ui/messages.js';
import { baseStyles } from '../ui/styles.js';
import { textField } from '../ui/forms.js';

/** Asks the relay to email a reset link. */
@customElement('portal-forgot-password')
export class ForgotPasswordView extends LitElement {
  static override styles = [baseStyles];

  @state() private busy = false;
  @state() private error = '';
  @state() private sentTo = '';

  override render() {
    return html`
      <section class="card" aria-labelledby="forgot-title">
        <h1 id="forgot-title">Forgot your password?</h1>
        ${this.sentTo ? this.renderSent() : this.renderForm()}
        <p><a href="/login">Back to log in</a></p>
      </section>
    `;
  }

  private renderForm() {
    return html`
      <p class="muted">
        Enter the email address your firm invited. We will email you a link to
        choose a new password.
      </p>
      <form @submit=${(event: SubmitEvent) => void this.submit(event)}>
        <label>
          Email
          <input name="email" type="email" autocomplete="username" required />
        </label>
        ${
          this.error
            ? html`<p class="error" role="alert">${this.error}</p>`
            : nothing
        }
        <button type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Sending…' : 'Email me a reset link'}
        </button>
      </form>
    `;
  }

  // The relay returns the same response for unknown addresses, so that
  // the form cannot probe which emails have accounts. The confirmation is
  // therefore worded with "if".
  private renderSent() {
    return html`<p class="notice" role="status">
      If ${this.sentTo} has a portal account, a reset link is on its way. Check
      your inbox and spam folder.
    </p>`;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const email = textField(data, 'email').trim();
    this.busy = true;
    this.error = '';
    try {
      await requestPasswordReset(email);
      this.sentTo = email;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-forgot-password': ForgotPasswordView;
  }
}
