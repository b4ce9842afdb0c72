/** Turns the contact form's text fields into a draft the engine accepts. */
import { checkEmail, type ContactDraft } from '../engine/workspace.js';

/** The raw values of the contact form; every field is text. */
export interface ContactFormValues {
  kind: string;
  displayName: string;
  givenName: string;
  familyName: string;
  organization: string;
  email: string;
  phone: string;
  address: string;
  notes: string;
}

export type ContactFormErrors = Partial<
  Record<keyof ContactFormValues, string>
>;

export type DraftResult =
  { ok: true; draft: ContactDraft } | { ok: false; errors: ContactFormErrors };

const OPTIONAL_FIELDS = [
  'givenName',
  'familyName',
  'organization',
  'email',
  'phone',
  'address',
  'notes',
] as const;

export function emptyForm(): ContactFormValues {
  return {
    kind: 'person',
    displayName: '',
    givenName: '',
    familyName: '',
    organization: '',
    email: '',
    phone: '',
    address: '',
    notes: '',
  };
}

export function formFromContact(contact: ContactDraft): ContactFormValues {
  const values = emptyForm();
  values.kind = contact.kind;
  values.displayName = contact.displayName;
  for (const field of OPTIONAL_FIELDS) values[field] = contact[field] ?? '';
  return values;
}

/**
 * Validates the form and builds a draft. An empty display name is filled
 * from the given and family name or the organization. An email is
 * optional, but when present it must be one an invitation can go to.
 */
export function draftFromForm(values: ContactFormValues): DraftResult {
  const errors: ContactFormErrors = {};
  const displayName = displayNameOf(values);
  if (displayName === '') {
    errors.displayName =
      'Name is missing. Enter a display name, a given or family name, or an organization.';
  }
  const email = values.email.trim();
  const emailError = email === '' ? undefined : checkEmail(email);
  if (emailError !== undefined) errors.email = emailError;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const draft: ContactDraft = {
    kind: values.kind === 'organization' ? 'organization' : 'person',
    displayName,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = values[field].trim();
    if (value !== '') draft[field] = value;
  }
  return { ok: true, draft };
}

function displayNameOf(values: ContactFormValues): string {
  const typed = values.displayName.trim();
  if (typed !== '') return typed;
  const personal = `${values.givenName.trim()} ${values.familyName.trim()}`;
  return personal.trim() || values.organization.trim();
}
