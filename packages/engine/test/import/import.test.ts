// Cases the fixture files do not cover: duplicates, skipped records,
// decoding fallbacks, name cleanup and errors for unreadable files.
import { describe, expect, test } from 'vitest';

import { importContacts } from '../../src/import/index.js';

function vcard(...lines: string[]): string {
  return ['BEGIN:VCARD', ...lines, 'END:VCARD', ''].join('\r\n');
}

function windows1252(text: string): Uint8Array {
  // Every character used here is Latin-1, where windows-1252 agrees.
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

describe('duplicates', () => {
  test('existing email is imported and listed', () => {
    const file = vcard('VERSION:3.0', 'FN:Ann Lee', 'EMAIL:Ann@Example.com');
    const result = importContacts('a.vcf', file, [
      { email: 'ann@example.com ' },
      {},
    ]);
    expect(result.contacts).toHaveLength(1);
    expect(result.duplicates).toEqual([
      {
        index: 0,
        email: 'Ann@Example.com',
        reason: 'same email as an existing contact',
      },
    ]);
  });

  test('same email within one file', () => {
    const file =
      vcard('VERSION:3.0', 'FN:Ann Lee', 'EMAIL:office@example.com') +
      vcard('VERSION:3.0', 'FN:Bob Lee', 'EMAIL:OFFICE@example.com');
    const result = importContacts('a.vcf', file, []);
    expect(result.contacts.map((c) => c.displayName)).toEqual([
      'Ann Lee',
      'Bob Lee',
    ]);
    expect(result.duplicates).toEqual([
      {
        index: 1,
        email: 'OFFICE@example.com',
        reason: 'same email as card 1 of this file',
      },
    ]);
  });

  test('identical record is not imported', () => {
    const csv = [
      'First Name,Last Name,E-mail Address',
      'Ann,Lee,ann@example.com',
      'Bob,Lee,bob@example.com',
      'Ann,Lee,ann@example.com',
    ].join('\n');
    const result = importContacts('a.csv', csv, [{ email: 'ann@example.com' }]);
    expect(result.contacts.map((c) => c.displayName)).toEqual([
      'Ann Lee',
      'Bob Lee',
    ]);
    expect(result.duplicates).toEqual([
      {
        index: 0,
        email: 'ann@example.com',
        reason: 'same email as an existing contact',
      },
      {
        index: 2,
        email: 'ann@example.com',
        reason: 'identical to row 2 of this file, so it was not imported',
      },
    ]);
  });

  test('records without email are never compared', () => {
    const csv = 'Name,Phone 1 - Value\nAnn Lee,1\nAnn Lee,1\n';
    const result = importContacts('a.csv', csv, [{}]);
    expect(result.contacts).toHaveLength(2);
    expect(result.duplicates).toEqual([]);
  });
});

describe('skipped records', () => {
  test('card without name or email', () => {
    const file =
      vcard('VERSION:3.0', 'FN:Ann Lee') +
      vcard('VERSION:3.0', 'N:;;;;', 'TEL:+1 555 0100');
    const result = importContacts('a.vcf', file, []);
    expect(result.contacts).toHaveLength(1);
    expect(result.skipped).toEqual([
      {
        index: 1,
        label: 'card 2',
        reason: 'it has no name and no email address',
      },
    ]);
  });

  test('card whose only email is invalid', () => {
    const file = vcard('VERSION:2.1', 'EMAIL;INTERNET:not an address');
    const result = importContacts('a.vcf', file, []);
    expect(result.contacts).toEqual([]);
    expect(result.skipped).toEqual([
      {
        index: 0,
        label: 'card 1',
        reason:
          'it has no name, and "not an address" is not a valid email address',
      },
    ]);
  });

  test('named card keeps an invalid email', () => {
    // Staff see the value and can correct it before Sync Contact.
    const file = vcard('VERSION:3.0', 'FN:Ann', 'EMAIL:ann at example');
    const [contact] = importContacts('a.vcf', file, []).contacts;
    expect(contact?.email).toBe('ann at example');
  });

  test('first valid email wins', () => {
    const file = vcard(
      'VERSION:3.0',
      'FN:Ann',
      'EMAIL: ',
      'EMAIL:ann(at)example',
      'EMAIL:mailto: ann@example.com ',
    );
    const [contact] = importContacts('a.vcf', file, []).contacts;
    expect(contact?.email).toBe('ann@example.com');
  });

  test('contact group card', () => {
    const file = vcard('VERSION:4.0', 'KIND:group', 'FN:Family');
    const result = importContacts('a.vcf', file, []);
    expect(result.contacts).toEqual([]);
    expect(result.skipped[0]?.reason).toBe(
      'it is a contact group, not a contact',
    );
  });

  test('CSV row with an unclosed quote', () => {
    const csv =
      'Name,E-mail Address\nAnn,ann@example.com\n"Bob,bob@example.com\n';
    const result = importContacts('a.csv', csv, []);
    expect(result.contacts.map((c) => c.displayName)).toEqual(['Ann']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.label).toBe('row 3');
    expect(result.skipped[0]?.reason).toMatch(/^invalid CSV syntax: /);
  });

  test('blank CSV rows are no records', () => {
    const csv = 'Name,E-mail Address\n,\nAnn,ann@example.com\n\n';
    const result = importContacts('a.csv', csv, []);
    expect(result.contacts).toHaveLength(1);
    expect(result.skipped).toEqual([]);
  });
});

describe('decoding', () => {
  test('windows-1252 CSV bytes', () => {
    const bytes = windows1252(
      'Name;E-mail Address\r\nJürgen Müller;jm@example.com\r\n',
    );
    const [contact] = importContacts('a.csv', bytes, []).contacts;
    expect(contact?.displayName).toBe('Jürgen Müller');
  });

  test('UTF-16LE CSV with BOM', () => {
    const text = '\uFEFFName,E-mail Address\r\nZoë,zoe@example.com\r\n';
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      bytes[i * 2] = text.charCodeAt(i) & 0xff;
      bytes[i * 2 + 1] = text.charCodeAt(i) >> 8;
    }
    const [contact] = importContacts('a.csv', bytes, []).contacts;
    expect(contact?.displayName).toBe('Zoë');
  });

  test('string input with BOM and quoted-printable', () => {
    const file =
      '\uFEFF' +
      vcard(
        'VERSION:2.1',
        'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=',
        '=C3=BCrgen',
        'FN:Jürgen Müller',
      );
    const [contact] = importContacts('a.vcf', file, []).contacts;
    expect(contact?.familyName).toBe('Müller');
    expect(contact?.givenName).toBe('Jürgen');
    expect(contact?.displayName).toBe('Jürgen Müller');
  });

  test('CHARSET of raw vCard 2.1 bytes', () => {
    const head = new TextEncoder().encode(
      'BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-7:',
    );
    const name = Uint8Array.from([0xc1, 0xed, 0xed, 0xe1]); // Greek "Αννα"
    const tail = new TextEncoder().encode('\r\nEND:VCARD\r\n');
    const [contact] = importContacts(
      'a.vcf',
      Uint8Array.from([...head, ...name, ...tail]),
      [],
    ).contacts;
    expect(contact?.displayName).toBe('Αννα');
  });

  test('3.0 card with 2.1 parameters', () => {
    // ical.js rejects bare parameters, so the lenient reader takes over.
    const file = vcard(
      'VERSION:3.0',
      'N:Lee;Ann;;;',
      'FN:Ann Lee\\, CPA',
      'TEL;CELL:+1 555 0100',
      'EMAIL;INTERNET;PREF:ann@example.com',
    );
    const [contact] = importContacts('a.vcf', file, []).contacts;
    expect(contact).toEqual({
      displayName: 'Ann Lee, CPA',
      kind: 'person',
      givenName: 'Ann',
      familyName: 'Lee',
      email: 'ann@example.com',
      phone: '+1 555 0100',
    });
  });

  test('vCard 2.1 AGENT card stays embedded', () => {
    const file = vcard(
      'VERSION:2.1',
      'FN:Ann Lee',
      'AGENT:',
      'BEGIN:VCARD',
      'FN:Assistant',
      'END:VCARD',
      'EMAIL:ann@example.com',
    );
    const result = importContacts('a.vcf', file, []);
    expect(result.contacts).toEqual([
      {
        displayName: 'Ann Lee',
        kind: 'person',
        email: 'ann@example.com',
      },
    ]);
  });
});

describe('name cleanup', () => {
  test('NFC, control and bidi characters', () => {
    const decomposed = 'Jose\u0301';
    const csv =
      'First Name,Last Name,Display Name,Notes\n' +
      `${decomposed},Ri\u202Eos,"Jos\u00E9\u0007 \u202Ex",line1\u0000\n`;
    const [contact] = importContacts('a.csv', csv, []).contacts;
    expect(contact?.givenName).toBe('José');
    expect(contact?.givenName).toHaveLength(4);
    expect(contact?.familyName).toBe('Rios');
    expect(contact?.displayName).toBe('José x');
    expect(contact?.notes).toBe('line1');
  });

  test('name built from parts when no display name', () => {
    const csv = 'First Name,Middle Name,Last Name\nAnn,Q,Lee\n';
    const [contact] = importContacts('a.csv', csv, []).contacts;
    expect(contact?.displayName).toBe('Ann Q Lee');
  });

  test('vCard 4.0 KIND:org', () => {
    const file = vcard(
      'VERSION:4.0',
      'KIND:org',
      'FN:Lee & Co',
      'ORG:Lee & Co',
    );
    const [contact] = importContacts('a.vcf', file, []).contacts;
    expect(contact?.kind).toBe('organization');
  });

  test('Google cell with several emails', () => {
    const csv =
      'Name,E-mail 1 - Type,E-mail 1 - Value\nAnn,* Home,a@x.com ::: b@x.com\n';
    const [contact] = importContacts('a.csv', csv, []).contacts;
    expect(contact?.email).toBe('a@x.com');
  });
});

describe('unreadable files', () => {
  test('empty file', () => {
    expect(() => importContacts('empty.csv', '  \n', [])).toThrow(
      'empty.csv is empty. Choose a vCard (.vcf) or CSV export of contacts.',
    );
  });

  test('CSV without a contact header', () => {
    expect(() =>
      importContacts('sales.csv', 'Date,Amount\n2024-01-01,5\n', []),
    ).toThrow(
      /^sales\.csv: the first CSV row names no contact column .*found: date, amount/,
    );
  });

  test('vcf file that is no vCard', () => {
    expect(() => importContacts('x.vcf', 'hello', [])).toThrow(
      /^x\.vcf does not start with BEGIN:VCARD/,
    );
  });

  test('header-only CSV', () => {
    const result = importContacts('a.csv', 'First Name;Last Name\n', []);
    expect(result).toEqual({ contacts: [], skipped: [], duplicates: [] });
  });
});
