/** Labels for portal reminders (pending outbox messages) in lists. */
import type { Contact } from '../engine/workspace.js';
import type { Reminder } from '../engine/portal-actions.js';

const KIND_LABELS: Record<Reminder['kind'], string> = {
  'portal-invite': 'Portal invitation',
  'file-notice': 'New file available',
  'staff-notice': 'Staff notice',
  'password-reset': 'Password reset',
};

export function reminderKindLabel(kind: Reminder['kind']): string {
  return KIND_LABELS[kind];
}

/** Names the recipient: the contact's name and address, or the address. */
export function recipientLabel(
  reminder: Reminder,
  contacts: readonly Contact[],
): string {
  const contact = contacts.find((c) => c.id === reminder.contactId);
  return contact ? `${contact.displayName} <${reminder.to}>` : reminder.to;
}

/** Opens the reminders dialog; `ids` are preselected and previewed first. */
export class RemindersReadyEvent extends Event {
  constructor(readonly ids: readonly string[] = []) {
    super('reminders-ready', { bubbles: true, composed: true });
  }
}
