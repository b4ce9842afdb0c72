import { describe, expect, it } from 'vitest';
import type { Contact } from '../src/engine/workspace.js';
import { searchContacts } from '../src/ui/contact-search.js';

function contact(
  id: string,
  displayName: string,
  extra: Partial<Contact> = {},
) {
  return {
    id,
    displayName,
    kind: 'person',
    portal: { status: 'none' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  } satisfies Contact;
}

const contacts = [
  contact('1', 'Zoë Müller', { email: 'zoe@example.com' }),
  contact('2', 'acme ltd', { kind: 'organization', phone: '+44 20 7946 0000' }),
  contact('3', 'Bob Stone', { organization: 'Acme' }),
];

const names = (list: Contact[]) => list.map((c) => c.displayName);

describe('searchContacts', () => {
  it('sorts by name ignoring case', () => {
    expect(names(searchContacts(contacts, ''))).toEqual([
      'acme ltd',
      'Bob Stone',
      'Zoë Müller',
    ]);
  });

  it('ignores accents and case', () => {
    expect(names(searchContacts(contacts, 'MULLER'))).toEqual(['Zoë Müller']);
  });

  it('matches organization, email and phone', () => {
    expect(names(searchContacts(contacts, 'acme'))).toEqual([
      'acme ltd',
      'Bob Stone',
    ]);
    expect(names(searchContacts(contacts, 'zoe@'))).toEqual(['Zoë Müller']);
    expect(names(searchContacts(contacts, '7946'))).toEqual(['acme ltd']);
  });

  it('requires every word', () => {
    expect(names(searchContacts(contacts, 'acme bob'))).toEqual(['Bob Stone']);
    expect(searchContacts(contacts, 'acme nobody')).toEqual([]);
  });
});
