import { describe, expect, it } from 'vitest';
import { draftFromForm, emptyForm } from '../src/ui/contact-draft.js';

function draftOf(values: Partial<ReturnType<typeof emptyForm>>) {
  const result = draftFromForm(form(values));
  if (!result.ok)
    throw new Error(`Expected a draft: ${JSON.stringify(result)}`);
  return result.draft;
}

function errorsOf(values: Partial<ReturnType<typeof emptyForm>>) {
  const result = draftFromForm(form(values));
  if (result.ok) throw new Error('Expected validation errors.');
  return result.errors;
}

function form(values: Partial<ReturnType<typeof emptyForm>>) {
  return { ...emptyForm(), ...values };
}

describe('draftFromForm', () => {
  it('keeps filled fields trimmed', () => {
    const result = draftFromForm(
      form({ displayName: ' Ada Lovelace ', email: ' ada@example.com ' }),
    );
    expect(result).toEqual({
      ok: true,
      draft: {
        kind: 'person',
        displayName: 'Ada Lovelace',
        email: 'ada@example.com',
      },
    });
  });

  it('derives the name from given and family name', () => {
    const draft = draftOf({ givenName: 'Ada', familyName: 'L' });
    expect(draft.displayName).toBe('Ada L');
  });

  it('derives the name from the organization', () => {
    const draft = draftOf({ kind: 'organization', organization: 'Acme Ltd' });
    expect(draft).toEqual({
      kind: 'organization',
      displayName: 'Acme Ltd',
      organization: 'Acme Ltd',
    });
  });

  it('reports a missing name at its field', () => {
    const errors = errorsOf({ email: 'ada@example.com' });
    expect(errors.displayName).toMatch(/Name is missing/);
    expect(errors.email).toBeUndefined();
  });

  it('reports an invalid email at its field', () => {
    const errors = errorsOf({ displayName: 'Ada', email: 'ada@example' });
    expect(errors.email).toContain('"ada@example"');
  });

  it('rejects two addresses in one field', () => {
    const errors = errorsOf({
      displayName: 'Ada',
      email: 'a@example.com, b@example.com',
    });
    expect(errors.email).toMatch(/example\.com/);
  });
});
