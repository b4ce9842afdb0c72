import { CloseCode } from '@portico/engine';
import { describe, expect, it } from 'vitest';
import { describeEngineError } from '../src/engine/error-messages.js';

describe('describeEngineError', () => {
  it('names the record kind of an invalid write', () => {
    const message = describeEngineError({
      kind: 'invalid-write',
      message: 'contacts write failed',
      collection: 'contacts',
      reason: '/email too long',
    });
    expect(message.summary).toBe(
      'A change to a contact was not saved because it is invalid.',
    );
    expect(message.action).toMatch(/correct the fields/);
    expect(message.detail).toBe('contacts write failed /email too long');
  });

  it('tells staff to log in again after 4401', () => {
    const message = describeEngineError({
      kind: 'connection-rejected',
      message: 'closed',
      code: CloseCode.unauthenticated,
    });
    expect(message.summary).toMatch(/session has ended/);
    expect(message.action).toMatch(/log in again/);
  });

  it('separates other close codes', () => {
    const tooMany = describeEngineError({
      kind: 'connection-rejected',
      message: 'closed',
      code: CloseCode.tooMany,
    });
    const unknown = describeEngineError({
      kind: 'connection-rejected',
      message: 'closed',
      code: 4499,
    });
    expect(tooMany.action).toMatch(/Close other Portico tabs/);
    expect(unknown.summary).toMatch(/closed the connection/);
  });

  it('gives every kind an action', () => {
    const kinds = [
      'quarantine',
      'invalid-write',
      'doc-denied',
      'connection-rejected',
      'protocol',
      'storage',
    ] as const;
    for (const kind of kinds) {
      const message = describeEngineError({ kind, message: 'x' });
      expect(message.summary, kind).not.toBe('');
      expect(message.action, kind).not.toBe('');
    }
  });
});
