/**
 * Styles shared by every view. Colours keep at least 4.5:1 contrast on
 * their background, and focus rings stay visible for keyboard users.
 */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    display: block;
    color: var(--text, #1f2933);
    font: inherit;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    line-height: 1.25;
    margin: 0 0 0.75rem;
    color: var(--heading, #102a43);
  }
  h1 {
    font-size: 1.5rem;
  }
  h2 {
    font-size: 1.2rem;
  }
  p {
    margin: 0 0 0.75rem;
  }
  a {
    color: var(--link, #0b5394);
  }
  a:focus-visible,
  button:focus-visible,
  input:focus-visible,
  label:focus-within {
    outline: 3px solid var(--focus, #f0b429);
    outline-offset: 2px;
  }
  .card {
    background: #fff;
    border: 1px solid var(--border, #d9e2ec);
    border-radius: 8px;
    padding: 1rem;
  }
  .muted {
    color: var(--muted, #52606d);
  }
  .error {
    color: var(--error, #a61b1b);
    background: #fdecec;
    border: 1px solid #f5b5b5;
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
  }
  .notice {
    background: #e8f1fb;
    border: 1px solid #b3cde8;
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  input[type='email'],
  input[type='password'],
  input[type='text'] {
    font: inherit;
    padding: 0.6rem 0.7rem;
    border: 1px solid #9aa5b1;
    border-radius: 6px;
    width: 100%;
  }
  button,
  .button {
    font: inherit;
    font-weight: 600;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 2.75rem;
    padding: 0.5rem 1rem;
    border-radius: 6px;
    border: 1px solid var(--primary, #0b5394);
    background: var(--primary, #0b5394);
    color: #fff;
    cursor: pointer;
    text-decoration: none;
  }
  button.secondary,
  .button.secondary {
    background: #fff;
    color: var(--primary, #0b5394);
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem;
    border-bottom: 1px solid var(--border, #d9e2ec);
    vertical-align: top;
  }
  th {
    font-size: 0.9rem;
    color: var(--muted, #52606d);
  }
  .number {
    text-align: right;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .badge {
    display: inline-block;
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    font-size: 0.85rem;
    font-weight: 600;
    background: #e4e7eb;
    color: #323f4b;
    white-space: nowrap;
  }
  .badge.paid {
    background: #e3f9e5;
    color: #0e5a1f;
  }
  .badge.overdue {
    background: #fdecec;
    color: #8a1515;
  }
  .badge.partly-paid,
  .badge.open {
    background: #fff3c4;
    color: #5c4813;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  /* Lists become tables only where there is room for the columns. */
  .stack {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.75rem;
  }
`;
