/** Styles shared by the app's components; colours come from index.html. */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    font: inherit;
    color: var(--text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    margin: 0;
    font-weight: 600;
    line-height: 1.25;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    border: 1px solid var(--border-strong);
    background: var(--surface);
    border-radius: 6px;
    padding: 0.4rem 0.85rem;
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: var(--surface-hover);
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--accent-strong);
  }
  button.danger {
    color: var(--danger);
    border-color: var(--danger);
  }
  button:disabled {
    cursor: not-allowed;
    color: var(--text-muted);
    border-color: var(--border);
    background: var(--surface-muted);
  }
  :focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    border: 1px solid var(--border-strong);
    border-radius: 6px;
    padding: 0.4rem 0.55rem;
    background: var(--surface);
    width: 100%;
  }
  input[aria-invalid='true'] {
    border-color: var(--danger);
  }
  label {
    display: block;
    font-weight: 500;
    margin-bottom: 0.2rem;
  }
  .field {
    margin-bottom: 0.8rem;
  }
  .field-error {
    color: var(--danger);
    font-size: 0.875rem;
    margin-top: 0.25rem;
  }
  .hint {
    color: var(--text-muted);
    font-size: 0.875rem;
  }
  .actions {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
    align-items: center;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: 0.45rem 0.6rem;
    border-bottom: 1px solid var(--border);
    vertical-align: top;
  }
  th {
    font-weight: 600;
    color: var(--text-muted);
    font-size: 0.875rem;
  }
  td.number,
  th.number {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .badge {
    display: inline-block;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-size: 0.8rem;
    border: 1px solid var(--border);
    background: var(--surface-muted);
    color: var(--text-muted);
    white-space: nowrap;
  }
  .badge.invited {
    background: var(--info-bg);
    color: var(--info);
    border-color: var(--info);
  }
  .badge.active {
    background: var(--ok-bg);
    color: var(--ok);
    border-color: var(--ok);
  }
  .badge.disabled {
    background: var(--danger-bg);
    color: var(--danger);
    border-color: var(--danger);
  }
  dialog {
    border: 1px solid var(--border);
    border-radius: 10px;
    padding: 1.25rem 1.5rem;
    max-width: min(40rem, 92vw);
    width: 100%;
    box-shadow: 0 10px 40px rgb(0 0 0 / 0.2);
    color: var(--text);
    background: var(--surface);
  }
  dialog::backdrop {
    background: rgb(20 30 40 / 0.35);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
