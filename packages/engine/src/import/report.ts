// Turns raw records into contacts and the import report: cleans names,
// chooses the email, skips unusable records and flags duplicates.
import { cleanEmail, cleanName, cleanText, looksLikeEmail } from './text.js';
import type {
  ContactInput,
  DuplicateRecord,
  ImportResult,
  RawContact,
  SkippedRecord,
} from './types.js';

type Outcome = { contact: ContactInput } | { reason: string };

/** An imported contact with the label of its record, for later messages. */
interface Imported {
  label: string;
  contact: ContactInput;
}

/**
 * Builds the report for records in file order. Duplicate rules, by email
 * compared case-insensitively:
 * - same email as an existing contact, or as an earlier record that
 *   differs in any field: imported and listed, because people do share an
 *   address (a couple, an office mailbox) and staff decide;
 * - every field equal to an earlier record of the same file: listed and
 *   not imported, because the copy carries nothing new.
 * Records without an email are never compared.
 */
export function buildReport(
  records: RawContact[],
  existing: { email?: string }[],
): ImportResult {
  const existingEmails = new Set(
    existing.flatMap((contact) => emailKey(contact.email) ?? []),
  );
  const earlierByEmail = new Map<string, Imported[]>();
  const result: ImportResult = { contacts: [], skipped: [], duplicates: [] };

  for (const record of records) {
    const outcome = toContact(record);
    if ('reason' in outcome) {
      result.skipped.push(skippedEntry(record, outcome.reason));
      continue;
    }

    const { contact } = outcome;
    const key = emailKey(contact.email);
    const earlier = key === undefined ? [] : (earlierByEmail.get(key) ?? []);
    const duplicate = findDuplicate(record, contact, earlier, existingEmails);
    if (duplicate !== undefined) result.duplicates.push(duplicate.entry);
    if (duplicate?.imported === false) continue;

    result.contacts.push(contact);
    if (key !== undefined) {
      earlierByEmail.set(key, [...earlier, { label: record.label, contact }]);
    }
  }
  return result;
}

function emailKey(email: string | undefined): string | undefined {
  const key = email?.trim().toLowerCase();
  return key === '' ? undefined : key;
}

function skippedEntry(record: RawContact, reason: string): SkippedRecord {
  return { index: record.index, label: record.label, reason };
}

function findDuplicate(
  record: RawContact,
  contact: ContactInput,
  earlier: Imported[],
  existingEmails: Set<string>,
): { entry: DuplicateRecord; imported: boolean } | undefined {
  const email = contact.email;
  const key = emailKey(email);
  if (email === undefined || key === undefined) return undefined;
  const entry = (reason: string): DuplicateRecord => ({
    index: record.index,
    email,
    reason,
  });

  const identical = earlier.find((other) => sameFields(other.contact, contact));
  if (identical !== undefined) {
    const reason = `identical to ${identical.label} of this file, so it was not imported`;
    return { entry: entry(reason), imported: false };
  }
  if (existingEmails.has(key)) {
    return {
      entry: entry('same email as an existing contact'),
      imported: true,
    };
  }
  const first = earlier[0];
  if (first !== undefined) {
    const reason = `same email as ${first.label} of this file`;
    return { entry: entry(reason), imported: true };
  }
  return undefined;
}

const CONTACT_FIELDS = [
  'displayName',
  'kind',
  'givenName',
  'familyName',
  'organization',
  'email',
  'phone',
  'address',
  'notes',
] as const satisfies readonly (keyof ContactInput)[];

function sameFields(a: ContactInput, b: ContactInput): boolean {
  return CONTACT_FIELDS.every((field) => a[field] === b[field]);
}

/** Cleans one record into a contact, or returns why it cannot be one. */
export function toContact(record: RawContact): Outcome {
  if (record.parseError !== undefined) {
    return { reason: `invalid CSV syntax: ${record.parseError}` };
  }
  if (record.isGroup === true) {
    return { reason: 'it is a contact group, not a contact' };
  }

  const givenName = cleanName(record.givenName);
  const familyName = cleanName(record.familyName);
  const organization = cleanName(record.organization);
  const emails = record.emails.map(cleanEmail).filter(Boolean);
  // The first plausible address wins. When none is plausible, the first
  // value is kept anyway, so staff see it and can correct it.
  const validEmail = emails.find(looksLikeEmail);
  const email = validEmail ?? emails[0];

  const partsName = cleanName(
    [givenName, cleanName(record.middleName), familyName].join(' '),
  );
  const personName = cleanName(record.displayName) ?? partsName;
  const displayName = personName ?? organization ?? validEmail;
  if (displayName === undefined) {
    return { reason: missingNameReason(emails[0]) };
  }

  const isOrganization =
    record.isOrganization === true ||
    (givenName === undefined &&
      familyName === undefined &&
      organization !== undefined &&
      (personName === undefined || personName === organization));

  return {
    contact: withoutEmptyFields({
      displayName,
      kind: isOrganization ? 'organization' : 'person',
      givenName,
      familyName,
      organization,
      email,
      phone: record.phones.map((phone) => cleanName(phone)).find(Boolean),
      address: cleanText(record.address),
      notes: cleanText(record.notes),
    }),
  };
}

function missingNameReason(email: string | undefined): string {
  if (email === undefined) return 'it has no name and no email address';
  return `it has no name, and "${email}" is not a valid email address`;
}

/** Drops undefined fields, so a contact has only the keys it fills. */
function withoutEmptyFields(contact: ContactInput): ContactInput {
  const entries = Object.entries(contact).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as unknown as ContactInput;
}
