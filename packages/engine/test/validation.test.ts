import { afterEach, describe, expect, test } from 'vitest';
import { FIRM_COLLECTIONS } from '../src/collections.js';
import { RecordValidator } from '../src/validation.js';

const contact = {
  id: 'c1',
  displayName: 'Ada Lovelace',
  kind: 'person',
  portal: { status: 'none' },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const originalFunction = globalThis.Function;

afterEach(() => {
  globalThis.Function = originalFunction;
});

describe('RecordValidator', () => {
  test('accepts a valid contact', () => {
    const validator = new RecordValidator(FIRM_COLLECTIONS);
    const result = validator.check('contacts', contact);
    expect(result).toEqual({ valid: true, row: contact });
  });

  test('drops fields a newer version added', () => {
    const validator = new RecordValidator(FIRM_COLLECTIONS);
    const newer = {
      ...contact,
      nickname: 'Ada',
      portal: { status: 'invited', badge: 'gold' },
    };
    const result = validator.check('contacts', newer);
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    expect(result.row).not.toHaveProperty('nickname');
    expect(result.row['portal']).toEqual({ status: 'invited' });
    expect(newer.nickname).toBe('Ada');
  });

  test('names the invalid field', () => {
    const validator = new RecordValidator(FIRM_COLLECTIONS);
    const result = validator.check('contacts', { ...contact, kind: 'robot' });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.reason).toContain('/kind');
  });

  // The web apps run under a Content-Security-Policy without
  // 'unsafe-eval', so validation must never generate code at run time.
  test('works without the Function constructor', () => {
    globalThis.Function = (() => {
      throw new Error('code generation is not allowed');
    }) as unknown as FunctionConstructor;
    const validator = new RecordValidator(FIRM_COLLECTIONS);
    expect(validator.check('contacts', contact).valid).toBe(true);
    expect(validator.check('contacts', { ...contact, kind: 1 }).valid).toBe(
      false,
    );
  });
});
