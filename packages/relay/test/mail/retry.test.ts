import { describe, expect, it } from 'vitest';

import {
  backoffDelay,
  classifySendError,
  InvalidMessageError,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
} from '../../src/mail/retry.js';

function smtpError(responseCode: number, code = 'EENVELOPE') {
  return Object.assign(new Error(`${responseCode} reply`), {
    code,
    responseCode,
  });
}

describe('classifySendError', () => {
  it.each([
    ['550 recipient', smtpError(550), 'permanent'],
    ['554 after data', smtpError(554, 'EMESSAGE'), 'permanent'],
    ['535 auth', smtpError(535, 'EAUTH'), 'permanent'],
    ['503 bad sequence', smtpError(503, 'EPROTOCOL'), 'temporary'],
    ['421 shutting down', smtpError(421, 'ECONNECTION'), 'temporary'],
    ['451 greylisting', smtpError(451), 'temporary'],
    [
      '550 only on rejected recipient',
      Object.assign(new Error('rejected'), {
        code: 'EENVELOPE',
        rejectedErrors: [smtpError(550)],
      }),
      'permanent',
    ],
    [
      'refused connection',
      Object.assign(new Error('refused'), {
        code: 'ESOCKET',
        originalCode: 'ECONNREFUSED',
      }),
      'temporary',
    ],
    [
      'reset connection',
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      'temporary',
    ],
    [
      'DNS failure',
      Object.assign(new Error('dns'), { code: 'EDNS' }),
      'temporary',
    ],
    [
      'timeout',
      Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }),
      'temporary',
    ],
    [
      'envelope error without reply',
      Object.assign(new Error('no recipients'), { code: 'EENVELOPE' }),
      'permanent',
    ],
    ['invalid message', new InvalidMessageError('bad'), 'permanent'],
    ['unknown error', new Error('surprise'), 'temporary'],
    ['thrown string', 'surprise', 'temporary'],
  ])('classifies %s', (_name, error, expected) => {
    expect(classifySendError(error)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('doubles between half and the full delay', () => {
    const low = { random: () => 0 };
    const high = { random: () => 1 - Number.EPSILON };

    expect(backoffDelay(1, low)).toBe(RETRY_BASE_DELAY_MS / 2);
    expect(backoffDelay(1, high)).toBe(RETRY_BASE_DELAY_MS);
    expect(backoffDelay(3, low)).toBe(RETRY_BASE_DELAY_MS * 2);
    expect(backoffDelay(3, high)).toBe(RETRY_BASE_DELAY_MS * 4);
  });

  it('stays under the cap for any attempt', () => {
    const high = { random: () => 1 - Number.EPSILON };

    expect(backoffDelay(20, high)).toBe(RETRY_MAX_DELAY_MS);
    expect(backoffDelay(5000, high)).toBe(RETRY_MAX_DELAY_MS);
    expect(backoffDelay(5000, { random: () => 0 })).toBe(
      RETRY_MAX_DELAY_MS / 2,
    );
  });

  it('spreads delays with jitter', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));

    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(RETRY_BASE_DELAY_MS * 4);
      expect(delay).toBeLessThanOrEqual(RETRY_BASE_DELAY_MS * 8);
    }
  });

  it('uses custom base and cap', () => {
    const options = { baseMs: 10, maxMs: 40, random: () => 1 - Number.EPSILON };

    expect(backoffDelay(2, options)).toBe(20);
    expect(backoffDelay(9, options)).toBe(40);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempt %s', (attempt) => {
    expect(() => backoffDelay(attempt)).toThrow(RangeError);
  });
});
