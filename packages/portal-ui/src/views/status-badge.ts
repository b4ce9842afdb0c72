import { html } from 'lit';
import type { InvoiceStatus } from '@portico/engine/billing';
import { STATUS_LABELS } from '../ui/billing.js';

export function statusBadge(status: InvoiceStatus | undefined) {
  if (status === undefined) {
    return html`<span class="badge">Status unavailable</span>`;
  }
  return html`<span class="badge ${status}" data-status=${status}
    >${STATUS_LABELS[status]}</span
  >`;
}
