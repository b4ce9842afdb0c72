import { describe, expect, it } from 'vitest';
import {
  allRulesPass,
  checkPassword,
  isCommonPassword,
} from '../src/auth/password-rules.js';

const EMAIL = 'jane.doe@example.com';

function failed(password: string, confirmation = password, email = EMAIL) {
  return checkPassword(password, confirmation, email)
    .filter((rule) => !rule.passed)
    .map((rule) => rule.id);
}

describe('checkPassword', () => {
  it('accepts a long uncommon password', () => {
    expect(failed('tulip river marble 42')).toEqual([]);
    expect(
      allRulesPass(
        checkPassword('tulip river marble 42', 'tulip river marble 42', EMAIL),
      ),
    ).toBe(true);
  });

  it('fails every rule for an empty password', () => {
    expect(failed('')).toEqual(['length', 'common', 'email', 'match']);
  });

  it('counts characters, not UTF-16 units', () => {
    // Eleven emoji are 22 UTF-16 units but only 11 characters.
    expect(failed('😀'.repeat(11))).toContain('length');
    expect(failed('ünïcödé-wörd')).not.toContain('length');
  });

  it('rejects passwords shorter than 12 characters', () => {
    expect(failed('short pass1')).toContain('length');
    expect(failed('short pass12')).not.toContain('length');
  });

  it('rejects listed passwords in any letter case', () => {
    expect(failed('Password1234')).toContain('common');
    expect(isCommonPassword('QWERTYUIOP123')).toBe(true);
  });

  it('rejects one character repeated', () => {
    expect(isCommonPassword('zzzzzzzzzzzzzz')).toBe(true);
  });

  it('rejects the email and its name part with digits', () => {
    expect(failed('Jane.Doe@Example.com')).toContain('email');
    expect(failed('jane.doe2024!!')).toContain('email');
  });

  it('allows the name part inside a longer phrase', () => {
    expect(failed('jane.doe likes long walks')).not.toContain('email');
  });

  it('skips the email rule when the email is unknown', () => {
    expect(failed('jane.doe2024!!', 'jane.doe2024!!', '')).toEqual([]);
  });

  it('requires the confirmation to match', () => {
    expect(failed('tulip river marble 42', 'tulip river marble 43')).toEqual([
      'match',
    ]);
  });
});
