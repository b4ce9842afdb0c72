/** Filtering and ordering of the contact list. */
import type { Contact } from '../engine/workspace.js';

/**
 * Returns the contacts whose name, organization, email or phone contains
 * every word of `query`, ignoring case and accents, sorted by name.
 */
export function searchContacts(contacts: Contact[], query: string): Contact[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const matches = contacts.filter((contact) => {
    const text = searchableText(contact);
    return words.every((word) => text.includes(word));
  });
  return matches.sort(byName);
}

function searchableText(contact: Contact): string {
  const fields = [
    contact.displayName,
    contact.givenName,
    contact.familyName,
    contact.organization,
    contact.email,
    contact.phone,
  ];
  return fold(fields.filter(Boolean).join(' '));
}

/** Lower-cases and strips combining accents, so "Muller" finds "Müller". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base' });

function byName(a: Contact, b: Contact): number {
  return (
    collator.compare(a.displayName, b.displayName) || a.id.localeCompare(b.id)
  );
}
