import { describe, expect, it } from 'vitest';
import { generateTemporaryPassword } from '../../src/accounts/client-accounts.js';
import { isCommonPassword } from '../../src/accounts/common-passwords.js';
import {
  WeakPasswordError,
  checkNewPassword,
} from '../../src/accounts/password-policy.js';

const EMAIL = 'ada.lovelace@client.example';

function ruleBroken(password: string): string | undefined {
  try {
    checkNewPassword(password, EMAIL);
    return undefined;
  } catch (error) {
    if (error instanceof WeakPasswordError) return error.code;
    throw error;
  }
}

describe('checkNewPassword', () => {
  it.each([
    ['eleven char', 'password_too_short'],
    ['x'.repeat(1025), 'password_too_long'],
    ['Password123456', 'password_common'],
    ['QWERTY 123456', 'password_common'],
    [EMAIL, 'password_is_email'],
    ['ADA.LOVELACE@client.example', 'password_is_email'],
    ['ada.lovelace', 'password_is_email'],
  ])('rejects %j with %s', (password, code) => {
    expect(ruleBroken(password)).toBe(code);
  });

  it('accepts a long uncommon password', () => {
    expect(ruleBroken('violet kettle harbour 42')).toBeUndefined();
  });

  it('counts characters, not UTF-16 units', () => {
    expect(ruleBroken('😀'.repeat(11))).toBe('password_too_short');
    expect(ruleBroken('😀'.repeat(12))).toBeUndefined();
  });
});

describe('isCommonPassword', () => {
  it('ignores case and spaces', () => {
    expect(isCommonPassword('Correct Horse Battery Staple')).toBe(true);
    expect(isCommonPassword('correct horse battery stapler')).toBe(false);
  });
});

describe('generateTemporaryPassword', () => {
  it('has four groups of four unambiguous characters', () => {
    const password = generateTemporaryPassword();
    expect(password).toMatch(
      /^[a-km-zA-HJ-NP-Z2-9]{4}-[a-km-zA-HJ-NP-Z2-9]{4}-[a-km-zA-HJ-NP-Z2-9]{4}-[a-km-zA-HJ-NP-Z2-9]{4}$/,
    );
    expect(password).not.toMatch(/[0O1lI]/);
  });

  it('differs between calls', () => {
    const passwords = new Set(
      Array.from({ length: 50 }, () => generateTemporaryPassword()),
    );
    expect(passwords.size).toBe(50);
  });
});
