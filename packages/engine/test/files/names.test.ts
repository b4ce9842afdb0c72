import { describe, expect, it } from 'vitest';
import {
  asciiFallback,
  contentDispositionAttachment,
  encodeRfc5987,
  sanitizeFileName,
  utf8ByteLength,
} from '../../src/files/index.js';

describe('sanitizeFileName', () => {
  it('normalises to NFC', () => {
    expect(sanitizeFileName('Re\u0301sume\u0301.pdf')).toBe(
      'R\u00e9sum\u00e9.pdf',
    );
  });

  it('removes bidi controls', () => {
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('a\u2066b\u2069c\u200e\u200f\u061c.txt')).toBe(
      'abc.txt',
    );
  });

  it('removes C0, C1 and DEL controls', () => {
    expect(sanitizeFileName('a\u0000b\u0007c\u007fd\u0085e\u009f.txt')).toBe(
      'abcde.txt',
    );
  });

  it('turns line breaks and tabs into single spaces', () => {
    expect(sanitizeFileName('File\nName.txt')).toBe('File Name.txt');
    expect(sanitizeFileName('  a \t\r\n  b  ')).toBe('a b');
  });

  it('replaces path separators', () => {
    expect(sanitizeFileName('../../../../etc/cron.d/x')).toBe(
      '.._.._.._.._etc_cron.d_x',
    );
    expect(sanitizeFileName('C:\\Users\\a.pdf')).toBe('C:_Users_a.pdf');
  });

  it('never returns an empty or dot-only name', () => {
    for (const name of ['', '   ', '\u202e', '.', '..', '...', '\n\t']) {
      expect(sanitizeFileName(name)).toBe('file');
    }
  });

  it('cuts to 255 bytes and keeps the extension', () => {
    const long = 'x'.repeat(300) + '.pdf';
    const cut = sanitizeFileName(long);
    expect(utf8ByteLength(cut)).toBe(255);
    expect(cut.endsWith('.pdf')).toBe(true);
  });

  it('never splits a code point when cutting', () => {
    const emoji = '\u{1F4AB}'.repeat(100) + '.txt';
    const cut = sanitizeFileName(emoji);
    expect(utf8ByteLength(cut)).toBeLessThanOrEqual(255);
    expect(cut.endsWith('.txt')).toBe(true);
    expect(cut).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])/u);
    expect([...cut.slice(0, -4)].every((c) => c === '\u{1F4AB}')).toBe(true);
  });

  it('treats a very long extension as part of the stem', () => {
    const name = 'a.' + 'b'.repeat(400);
    const cut = sanitizeFileName(name);
    expect(utf8ByteLength(cut)).toBe(255);
    expect(cut.startsWith('a.b')).toBe(true);
  });
});

describe('contentDispositionAttachment', () => {
  it('gives an ASCII fallback and an exact UTF-8 name', () => {
    expect(contentDispositionAttachment('R\u00e9sum\u00e9.pdf')).toBe(
      `attachment; filename="Resume.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`,
    );
  });

  it('drops quotes and backslashes from the fallback', () => {
    expect(asciiFallback('test"try\\.txt')).toBe('testtry.txt');
    expect(contentDispositionAttachment('test"try.txt')).toContain(
      'filename="testtry.txt"',
    );
  });

  it('keeps header-breaking characters out', () => {
    const header = contentDispositionAttachment('a;b,c\r\nSet-Cookie: x.txt');
    expect(header).not.toMatch(/[\r\n]/);
    const star = header.split("filename*=UTF-8''")[1] ?? '';
    expect(star).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
  });

  it('encodes the characters RFC 5987 excludes', () => {
    expect(encodeRfc5987("it's (1)*.txt")).toBe('it%27s%20%281%29%2A.txt');
  });

  it('uses a placeholder when no ASCII is left', () => {
    expect(asciiFallback('\u{1F4AB}')).toBe('_');
    expect(asciiFallback('')).toBe('file');
  });
});
