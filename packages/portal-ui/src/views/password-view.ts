import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { changePassword, resetPassword } from '../api/auth.js';
import { navigate, sessionChanged } from '../app/events.js';
import {
  allRulesPass,
  checkPassword,
  type PasswordRuleResult,
} from '../auth/password-rules.js';
import { messageOf } from '../ui/messages.js';
import { baseStyles } from '../ui/styles.js';
import { textField } from '../ui/forms.js';
import { css } from 'lit';

/**
 * Sets a new password, either replacing the temporary one after the first
 * login (`mode` "change") or from the emailed reset link (`mode` "reset").
 * The rules list updates as the client types, and the form submits only
 * once every rule passes.
 */
@customElement('portal-password')
export class PasswordView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .rules {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.25rem;
      }
      .rules li::before {
        display: inline-block;
        width: 1.5rem;
        font-weight: 700;
      }
      .rules li.passed {
        color: #0e5a1f;
      }
      .rules li.passed::before {
        content: '✓';
      }
      .rules li.failed::before {
        content: '✗';
        color: #8a1515;
      }
    `,
  ];

  @property() mode: 'change' | 'reset' = 'change';
  /** The signed-in client's email; the new password must differ from it. */
  @property() email = '';
  /** Token from the reset link, for `mode` "reset". */
  @property() token = '';

  @state() private password = '';
  @state() private confirmation = '';
  @state() private busy = false;
  @state() private error = '';
  @state() private done = false;

  override render() {
    if (this.done) return this.renderDone();
    if (this.mode === 'reset' && this.token === '') {
      return html`<section class="card">
        <h1>Reset your password</h1>
        <p class="error" role="alert">
          This reset link is incomplete. Open the link from the email again, or
          ask for a new one.
        </p>
        <p><a href="/forgot-password">Ask for a new reset link</a></p>
      </section>`;
    }
    const rules = checkPassword(this.password, this.confirmation, this.email);
    return html`
      <section class="card" aria-labelledby="password-title">
        <h1 id="password-title">${this.heading}</h1>
        ${
          this.mode === 'change'
            ? html`<p>
                You logged in with a temporary password. Choose your own
                password to continue.
              </p>`
            : nothing
        }
        <form @submit=${(event: SubmitEvent) => void this.submit(event)}>
          ${
            this.mode === 'change'
              ? html`<label>
                  Current (temporary) password
                  <input
                    name="current"
                    type="password"
                    autocomplete="current-password"
                    required
                  />
                </label>`
              : this.renderResetEmail()
          }
          <label>
            New password
            <input
              name="new"
              type="password"
              autocomplete="new-password"
              aria-describedby="password-rules"
              required
              .value=${this.password}
              @input=${(event: InputEvent) => {
                this.password = (event.target as HTMLInputElement).value;
              }}
            />
          </label>
          <label>
            Repeat the new password
            <input
              name="confirm"
              type="password"
              autocomplete="new-password"
              required
              .value=${this.confirmation}
              @input=${(event: InputEvent) => {
                this.confirmation = (event.target as HTMLInputElement).value;
              }}
            />
          </label>
          ${this.renderRules(rules)}
          ${
            this.error
              ? html`<p class="error" role="alert">${this.error}</p>`
              : nothing
          }
          <button type="submit" ?disabled=${this.busy || !allRulesPass(rules)}>
            ${this.busy ? 'Saving…' : 'Save password'}
          </button>
        </form>
      </section>
    `;
  }

  private get heading(): string {
    return this.mode === 'change' ? 'Choose your password' : 'Reset password';
  }

  // The reset link carries no email, so the client may enter it to have
  // the "not your email" rule checked here.
  private renderResetEmail() {
    return html`<label>
      Your email (optional, for the rule check)
      <input
        name="email"
        type="email"
        autocomplete="username"
        .value=${this.email}
        @input=${(event: InputEvent) => {
          this.email = (event.target as HTMLInputElement).value;
        }}
      />
    </label>`;
  }

  private renderRules(rules: PasswordRuleResult[]) {
    return html`<div id="password-rules">
      <p class="muted">Your new password must meet these rules:</p>
      <ul class="rules">
        ${rules.map(
          (rule) =>
            html`<li
              class=${rule.passed ? 'passed' : 'failed'}
              data-rule=${rule.id}
            >
              ${rule.label}
              <span class="visually-hidden"
                >${rule.passed ? '(met)' : '(not met yet)'}</span
              >
            </li>`,
        )}
      </ul>
    </div>`;
  }

  private renderDone() {
    if (this.mode === 'change') return nothing;
    return html`<section class="card" aria-labelledby="password-title">
      <h1 id="password-title">Password reset</h1>
      <p role="status">Your password is changed. Log in with it now.</p>
      <p><a href="/login">Log in</a></p>
    </section>`;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      if (this.mode === 'change') {
        const current = textField(data, 'current');
        await changePassword(current, this.password);
        this.done = true;
        sessionChanged(this, 'password-changed');
        navigate(this, '/');
      } else {
        await resetPassword(this.token, this.password);
        this.done = true;
      }
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portal-password': PasswordView;
  }
}
