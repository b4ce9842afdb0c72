import { describe, expect, it } from 'vitest';

import { describeValue, validateEmailAddress } from '../../src/mail/address.js';

const longLocal = 'a'.repeat(65);
const longDomain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`;

// Each case: the input, and a fragment the reason must contain so that a
// rejection for the wrong cause fails the test.
const hostile: [string, string, string][] = [
  ['empty', '', 'missing'],
  ['only spaces', '   ', 'missing'],
  ['CR LF header injection', 'a@example.com\r\nBcc: x@evil.com', '\\r'],
  ['bare LF', 'a@example.com\nb@example.com', '\\n'],
  ['trailing CR LF', 'a@example.com\r\n', '\\r'],
  ['tab', 'a\t@example.com', '\\t'],
  ['NUL', 'a\u0000@example.com', '\\u{0000}'],
  ['DEL', 'a\u007f@example.com', '\\u{007f}'],
  ['two addresses with comma', 'a@example.com,b@example.com', 'one address'],
  ['two addresses with semicolon', 'a@example.com;b@example.com', 'one'],
  ['two addresses with space', 'a@example.com b@example.com', 'space'],
  ['quoted @', '"a@b"@example.com', 'quoted'],
  ['quoted local part', '"john doe"@example.com', 'space'],
  ['quoted local part no space', '"john"@example.com', 'quoted'],
  ['comment', 'john(comment)@example.com', 'comment'],
  ['comment in domain', 'john@(comment)example.com', 'comment'],
  ['display name', 'John <john@example.com>', 'space'],
  ['angle brackets', '<john@example.com>', 'display name'],
  ['display name no space', 'John<john@example.com>', '<'],
  ['no @', 'john.example.com', 'no @'],
  ['two @', 'john@doe@example.com', 'more than one @'],
  ['empty local part', '@example.com', 'nothing before'],
  ['empty domain', 'john@', 'nothing after'],
  ['trailing dot', 'john@example.com.', 'ends with a dot'],
  ['leading dot in domain', 'john@.example.com', 'empty part'],
  ['two dots in domain', 'john@example..com', 'empty part'],
  ['leading dot in local part', '.john@example.com', 'dot'],
  ['trailing dot in local part', 'john.@example.com', 'dot'],
  ['two dots in local part', 'jo..hn@example.com', 'dot'],
  ['over-long local part', `${longLocal}@example.com`, '64'],
  ['over-long whole', `a@${longDomain}`, '254'],
  ['over-long label', `a@${'x'.repeat(64)}.com`, '63'],
  ['unicode domain', 'a@bücher.de', 'xn--bcher-kva.de'],
  ['unicode local part', 'jürgen@example.com', '"ü"'],
  ['unicode TLD', 'a@example.рф', 'punycode'],
  ['fullwidth at sign', 'a＠example.com', 'no @'],
  ['zero-width space', 'a\u200b@example.com', '\\u{200b}'],
  ['bidi override', 'a\u202e@example.com', '\\u{202e}'],
  ['no-break space', 'a\u00a0b@example.com', 'space'],
  ['single-label domain', 'john@localhost', 'top-level'],
  ['numeric TLD', 'john@example.123', 'top-level'],
  ['one-letter TLD', 'john@example.c', 'top-level'],
  ['IP literal', 'john@[127.0.0.1]', 'IP addresses'],
  ['underscore in domain', 'john@ex_ample.com', 'letters, digits'],
  ['leading hyphen label', 'john@-example.com', 'hyphen'],
  ['trailing hyphen label', 'john@example-.com', 'hyphen'],
  ['reserved double hyphen', 'john@ab--cd.com', 'xn--'],
  ['empty punycode label', 'john@xn--.com', 'punycode'],
  ['backslash', 'jo\\hn@example.com', '"\\\\"'],
  ['square bracket local', 'jo[hn@example.com', '"["'],
];

describe('validateEmailAddress', () => {
  it.each(hostile)('rejects %s', (_name, input, fragment) => {
    const result = validateEmailAddress(input);

    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(fragment);
    }
  });

  it.each(hostile)('shows no raw control character for %s', (_n, input) => {
    const result = validateEmailAddress(input);

    expect(result.ok).toBe(false);
    if (!result.ok) {
      // eslint-disable-next-line no-control-regex
      expect(result.reason).not.toMatch(/[\u0000-\u001f\u007f\u202e\u200b]/);
    }
  });

  it.each([
    ['plain', 'john@example.com', 'john@example.com'],
    ['dots and plus', 'john.q.doe+portal@mail.example.co.uk', undefined],
    ['atext symbols', "o'brien!#$%&*/=?^_`{|}~-@example.com", undefined],
    ['digits and hyphens', 'a1@sub-1.example-2.io', undefined],
    ['punycode domain', 'a@xn--bcher-kva.de', undefined],
    ['punycode TLD', 'a@example.xn--p1ai', undefined],
    ['local part case kept', 'John.Doe@Example.COM', 'John.Doe@example.com'],
    ['surrounding spaces', '  john@example.com  ', 'john@example.com'],
    ['64-octet local part', `${'a'.repeat(64)}@example.com`, undefined],
  ])('accepts %s', (_name, input, expected) => {
    const result = validateEmailAddress(input);

    expect(result).toEqual({ ok: true, address: expected ?? input });
  });

  it('accepts a 254-octet address', () => {
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.com`;
    const input = `${'a'.repeat(64 - 4)}@${domain}`;

    expect(input.length).toBe(254);
    expect(validateEmailAddress(input)).toEqual({ ok: true, address: input });
  });

  it('rejects a 255-octet address', () => {
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.com`;
    const input = `${'a'.repeat(64 - 3)}@${domain}`;

    expect(input.length).toBe(255);
    expect(validateEmailAddress(input).ok).toBe(false);
  });

  it('rejects values that are not strings', () => {
    expect(validateEmailAddress(undefined).ok).toBe(false);
    expect(validateEmailAddress(42).ok).toBe(false);
    expect(validateEmailAddress(['a@example.com']).ok).toBe(false);
  });
});

describe('describeValue', () => {
  it('escapes controls and cuts long values', () => {
    expect(describeValue('a\r\nb')).toBe('"a\\r\\nb"');
    expect(describeValue('a\\b')).toBe('"a\\\\b"');
    expect(describeValue('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });

  it('escapes quotes', () => {
    expect(describeValue('say "hi"')).toBe('"say \\"hi\\""');
  });
});
