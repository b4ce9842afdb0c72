/** Display formats for dates, sizes and portal states, in the locale. */
import type { Contact } from '../engine/workspace.js';

export type PortalStatus = Contact['portal']['status'];

const PORTAL_LABELS: Record<PortalStatus, string> = {
  none: 'Not on portal',
  invited: 'Invited',
  active: 'Active',
  disabled: 'Disabled',
};

export function portalLabel(status: PortalStatus): string {
  return PORTAL_LABELS[status];
}

/** Formats an ISO 8601 date or timestamp as a date; '' when absent. */
export function formatDate(iso: string | undefined, locale?: string): string {
  const date = parseTime(iso);
  if (date === undefined) return iso ?? '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

export function formatDateTime(
  iso: string | undefined,
  locale?: string,
): string {
  const date = parseTime(iso);
  if (date === undefined) return iso ?? '';
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/** Formats a byte count with binary units, such as "1.5 MiB". */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** "1 change" or "3 changes": a count with its noun. */
export function plural(count: number, noun: string, nouns = `${noun}s`) {
  return `${count} ${count === 1 ? noun : nouns}`;
}

function parseTime(iso: string | undefined): Date | undefined {
  if (iso === undefined || iso === '') return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
