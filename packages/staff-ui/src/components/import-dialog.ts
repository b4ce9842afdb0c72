/**
 * The contact import dialog: pick a vCard or CSV file, review the report
 * (contacts found, records skipped with the reason, possible duplicates by
 * email), untick any contact not wanted, then create them in the replica.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type {
  ImportOutcome,
  ImportResult,
  Workspace,
} from '../engine/workspace.js';
import { plural } from '../ui/format.js';
import { baseStyles } from '../ui/styles.js';

type Step =
  | { kind: 'choose'; error?: string }
  | { kind: 'review'; fileName: string; report: ImportResult }
  | { kind: 'importing'; total: number }
  | { kind: 'done'; outcome: ImportOutcome };

@customElement('portico-import-dialog')
export class ImportDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog {
        max-width: min(52rem, 94vw);
      }
      .scroll {
        max-height: 45vh;
        overflow-y: auto;
        margin: 0.5rem 0 1rem;
        border: 1px solid var(--border);
        border-radius: 6px;
      }
      h3 {
        font-size: 1rem;
        margin-top: 1rem;
      }
      .summary {
        margin: 0.75rem 0;
      }
      input[type='checkbox'] {
        width: auto;
      }
      .warning {
        color: var(--warning);
      }
      .footer {
        margin-top: 1rem;
      }
    `,
  ];

  @property({ attribute: false }) workspace!: Workspace;
  @state() private step: Step = { kind: 'choose' };
  @state() private excluded = new Set<number>();
  @query('dialog') private dialog!: HTMLDialogElement;

  /** Opens the dialog at the file choice. */
  show(): void {
    this.step = { kind: 'choose' };
    this.excluded = new Set();
    this.dialog.showModal();
  }

  override render() {
    return html`<dialog
      aria-labelledby="import-heading"
      @close=${() => this.onClose()}
    >
      <h2 id="import-heading">Import contacts</h2>
      ${this.renderStep()}
    </dialog>`;
  }

  private renderStep() {
    switch (this.step.kind) {
      case 'choose':
        return this.renderChoose(this.step.error);
      case 'review':
        return this.renderReview(this.step.fileName, this.step.report);
      case 'importing':
        return html`<p role="status">
          Importing ${plural(this.step.total, 'contact')}…
        </p>`;
      case 'done':
        return this.renderDone(this.step.outcome);
    }
  }

  private renderChoose(error: string | undefined) {
    return html`
      <p>
        Choose a vCard file (.vcf, versions 2.1, 3.0 and 4.0) or a CSV export
        from Google Contacts or Outlook.
      </p>
      <div class="field">
        <label for="file">Contacts file</label>
        <input
          id="file"
          type="file"
          accept=".vcf,.vcard,.csv,text/vcard,text/csv"
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? 'file-error' : ''}
          @change=${(event: Event) => void this.onFile(event)}
        />
        ${
          error
            ? html`<div class="field-error" id="file-error" role="alert">
                ${error}
              </div>`
            : null
        }
      </div>
      <div class="actions footer">
        <button @click=${() => this.dialog.close()}>Cancel</button>
      </div>
    `;
  }

  private renderReview(fileName: string, report: ImportResult) {
    const chosen = report.contacts.length - this.excluded.size;
    const duplicateEmails = new Set(
      report.duplicates.map((entry) => entry.email.toLowerCase()),
    );
    return html`
      <p class="summary" role="status">
        ${fileName}: ${plural(report.contacts.length, 'contact')} to import,
        ${plural(report.skipped.length, 'record')} skipped,
        ${plural(report.duplicates.length, 'possible duplicate')}.
      </p>
      ${
        report.contacts.length > 0
          ? this.renderContacts(report, duplicateEmails)
          : null
      }
      ${this.renderSkipped(report)} ${this.renderDuplicates(report)}
      <div class="actions footer">
        <button
          class="primary"
          ?disabled=${chosen === 0}
          @click=${() => this.onImport(report)}
        >
          Import ${plural(chosen, 'contact')}
        </button>
        <button @click=${() => (this.step = { kind: 'choose' })}>
          Choose another file
        </button>
        <button @click=${() => this.dialog.close()}>Cancel</button>
      </div>
    `;
  }

  private renderContacts(report: ImportResult, duplicateEmails: Set<string>) {
    return html`<div class="scroll">
      <table>
        <caption class="visually-hidden">
          Contacts to import
        </caption>
        <thead>
          <tr>
            <th scope="col"><span class="visually-hidden">Import</span></th>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          ${report.contacts.map((contact, index) => {
            const duplicate =
              contact.email !== undefined &&
              duplicateEmails.has(contact.email.toLowerCase());
            return html`<tr>
              <td>
                <input
                  type="checkbox"
                  aria-label="Import ${contact.displayName}"
                  .checked=${!this.excluded.has(index)}
                  @change=${() => this.toggle(index)}
                />
              </td>
              <td>${contact.displayName}</td>
              <td>${contact.email ?? ''}</td>
              <td class="warning">${duplicate ? 'Possible duplicate' : ''}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private renderSkipped(report: ImportResult) {
    if (report.skipped.length === 0) return null;
    return html`<h3>Skipped</h3>
      <ul>
        ${report.skipped.map(
          (entry) => html`<li>${entry.label}: ${entry.reason}</li>`,
        )}
      </ul>`;
  }

  private renderDuplicates(report: ImportResult) {
    if (report.duplicates.length === 0) return null;
    return html`<h3>Possible duplicates by email</h3>
      <ul>
        ${report.duplicates.map(
          (entry) =>
            html`<li>
              Entry ${entry.index + 1} of the file (${entry.email}):
              ${entry.reason}
            </li>`,
        )}
      </ul>`;
  }

  private renderDone(outcome: ImportOutcome) {
    return html`
      <p role="status">Imported ${plural(outcome.created, 'contact')}.</p>
      ${
        outcome.failed.length > 0
          ? html`<h3>Not imported</h3>
              <ul>
                ${outcome.failed.map(
                  (entry) =>
                    html`<li>${entry.displayName}: ${entry.reason}</li>`,
                )}
              </ul>`
          : null
      }
      <div class="actions footer">
        <button class="primary" @click=${() => this.dialog.close()}>
          Close
        </button>
      </div>
    `;
  }

  private async onFile(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const report = this.workspace.previewImport(file.name, bytes);
      this.excluded = new Set();
      this.step = { kind: 'review', fileName: file.name, report };
    } catch (error) {
      this.step = {
        kind: 'choose',
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private async onImport(report: ImportResult): Promise<void> {
    const contacts = report.contacts.filter(
      (_contact, index) => !this.excluded.has(index),
    );
    this.step = { kind: 'importing', total: contacts.length };
    try {
      const outcome = await this.workspace.createImported(contacts);
      this.step = { kind: 'done', outcome };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.step = {
        kind: 'choose',
        error:
          `The import stopped: ${reason}. Contacts created before the ` +
          'failure are kept; check the list before importing again.',
      };
    }
  }

  private toggle(index: number): void {
    const next = new Set(this.excluded);
    if (!next.delete(index)) next.add(index);
    this.excluded = next;
  }

  private onClose(): void {
    this.step = { kind: 'choose' };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'portico-import-dialog': ImportDialog;
  }
}
