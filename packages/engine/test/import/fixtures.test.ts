// Imports every contact file of the shared fixture folder as bytes, the
// way a browser file picker hands them over. Expected values were read off
// the files themselves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import { importContacts, type ImportResult } from '../../src/import/index.js';

const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../..',
);
const fixtureDir = join(repoRoot, '../shared/fixtures/contacts');

function fixtureFiles(): string[] {
  if (!existsSync(fixtureDir)) {
    throw new Error(
      `Contact fixtures are missing: expected the folder ${fixtureDir} ` +
        `(../shared/fixtures/contacts next to the repository checkout).`,
    );
  }
  return readdirSync(fixtureDir).sort();
}

function importFixture(name: string): ImportResult {
  const bytes = new Uint8Array(readFileSync(join(fixtureDir, name)));
  return importContacts(name, bytes, []);
}

/** Contacts, skipped and duplicate counts per file. */
const COUNTS: Record<string, [number, number, number]> = {
  'Hebrew.vcf': [1, 0, 0],
  'John_Doe_ANDROID.vcf': [6, 0, 0],
  'John_Doe_IPHONE.vcf': [1, 0, 0],
  'John_Doe_MS_OUTLOOK.vcf': [1, 0, 0],
  'apple.vcf': [1, 0, 0],
  'bug_6311.csv': [1, 0, 0],
  'csv_semicolon.csv': [2, 0, 0],
  'emptylines_vcard_addressbook.vcf': [2, 0, 0],
  'export.csv': [2, 0, 0],
  'gmail-single2.vcf': [1, 0, 0],
  'gmail.csv': [1, 0, 0],
  'quote.csv': [1, 0, 0],
  'thebat.vcf': [1, 0, 0],
  'thunderbird-MoreFunctionsForAddressBook-extension.vcf': [1, 0, 0],
  'v21_invalid_comment_line.vcf': [1, 0, 0],
  'v21_japanese_2.vcf': [1, 0, 0],
  'v4-uri-png.vcf': [1, 0, 0],
  'v4.vcf': [2, 0, 0],
  'vcard3.vcf': [1, 0, 0],
  'vcard9.vcf': [1, 0, 0],
};

describe('contact fixtures', () => {
  test('every fixture file has expected counts', () => {
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual(Object.keys(COUNTS).sort());
  });

  test.each(Object.entries(COUNTS))('%s counts', (name, counts) => {
    const result = importFixture(name);
    expect(result.contacts).toHaveLength(counts[0]);
    expect(result.skipped).toHaveLength(counts[1]);
    expect(result.duplicates).toHaveLength(counts[2]);
  });

  test('string input matches bytes', () => {
    // Shift_JIS bytes, and a fold that splits a UTF-8 character, make these
    // two files invalid UTF-8, so no caller could pass them as a string.
    const notUtf8 = ['v21_japanese_2.vcf', 'vcard9.vcf'];
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    for (const name of fixtureFiles()) {
      const bytes = new Uint8Array(readFileSync(join(fixtureDir, name)));
      if (notUtf8.includes(name)) {
        expect(() => utf8.decode(bytes), name).toThrow();
        continue;
      }
      const fromString = importContacts(name, utf8.decode(bytes), []);
      expect(fromString, name).toEqual(importFixture(name));
    }
  });

  test('names have no control characters', () => {
    for (const name of fixtureFiles()) {
      for (const contact of importFixture(name).contacts) {
        expect(contact.displayName, name).not.toMatch(/[\p{Cc}\uFFFD]/u);
        expect(contact.displayName, name).toBe(
          contact.displayName.normalize('NFC'),
        );
      }
    }
  });
});

describe('vCard 2.1 fixtures', () => {
  test('Hebrew names with a UTF-8 BOM', () => {
    const [contact] = importFixture('Hebrew.vcf').contacts;
    expect(contact).toEqual({
      displayName: 'אפרים קישון',
      kind: 'person',
      givenName: 'Ephraim',
      familyName: 'Kishon',
    });
  });

  test('Japanese Shift_JIS with quoted-printable', () => {
    const [contact] = importFixture('v21_japanese_2.vcf').contacts;
    expect(contact?.displayName).toBe('安藤 ロイド 1');
    expect(contact?.familyName).toBe('安藤');
    expect(contact?.givenName).toBe('ロイド1');
    // The ADR value spans three lines joined by quoted-printable soft breaks.
    expect(contact?.address).toBe(
      '東京都渋谷区桜丘町26-1セルリアンタワー6階\n150-8512',
    );
    expect(contact?.notes).toBe('メモ');
  });

  test('soft break keeps # line', () => {
    const result = importFixture('v21_invalid_comment_line.vcf');
    expect(result.contacts).toEqual([
      {
        displayName: 'Conference Call',
        kind: 'person',
        givenName: 'Conference Call',
        notes:
          'This is an (sharp ->#<- sharp) example. ' +
          'This message must NOT be ignored.',
      },
    ]);
  });

  test('Android export with photo and soft breaks', () => {
    const { contacts } = importFixture('John_Doe_ANDROID.vcf');
    // The first two cards have only an email, which becomes the name.
    expect(contacts[0]).toEqual({
      displayName: 'john.doe@company.com',
      kind: 'person',
      email: 'john.doe@company.com',
    });
    expect(contacts[1]?.email).toBe('jane.doe@company.com');
    expect(contacts[2]?.displayName).toBe('Ñ Ñ Ñ Ñ Ñ');
    expect(contacts[2]?.phone).toBe('123456789');
    expect(contacts[3]?.displayName).toBe('Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ');
    // Two identical NOTE properties are kept once.
    expect(contacts[3]?.notes).toBe('Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ');
    // The card with the base64 PHOTO still yields its first email.
    expect(contacts[4]?.email).toBe('bob@company.com');
    expect(contacts[4]?.organization).toBe('ÑÑÑÑÑÑÑÑÑÑÑÑ');
    expect(contacts[5]?.email).toBe('henry@company.com');
    expect(contacts[5]?.organization).toBe('Ñ'.repeat(44));
  });

  test('Outlook 2.1 export with bare parameters', () => {
    const [contact] = importFixture('John_Doe_MS_OUTLOOK.vcf').contacts;
    expect(contact?.displayName).toBe('Mr. John Richter James Doe Sr.');
    expect(contact?.givenName).toBe('John');
    expect(contact?.familyName).toBe('Doe');
    expect(contact?.organization).toBe('IBM');
    expect(contact?.email).toBe('john.doe@ibm.cm');
    expect(contact?.phone).toBe('(905) 555-1234');
    expect(contact?.address).toBe(
      'Cresent moon drive\nAlbaney, New York 12345\nUnited States of America',
    );
    expect(contact?.notes).toMatch(/^THIS SOFTWARE IS PROVIDED BY/);
  });

  test('quoted-printable without charset falls back', () => {
    // 0xF1 alone is invalid UTF-8, so the bytes are read as windows-1252.
    const [contact] = importFixture('thebat.vcf').contacts;
    expect(contact?.displayName).toBe('Piotr Iksiñski');
    expect(contact?.email).toBe('piotr.iksinski@somedomain.com');
  });

  test('blank lines between cards', () => {
    const { contacts } = importFixture('emptylines_vcard_addressbook.vcf');
    expect(contacts.map((contact) => contact.email)).toEqual([
      'john.doe@genericemail.invalid',
      'jane.doe@genericemail.invalid',
    ]);
  });
});

describe('vCard 3.0 and 4.0 fixtures', () => {
  test('iPhone export with grouped email', () => {
    const [contact] = importFixture('John_Doe_IPHONE.vcf').contacts;
    expect(contact?.email).toBe('john.doe@ibm.com');
    expect(contact?.phone).toBe('905-555-1234');
    expect(contact?.organization).toBe('IBM');
    expect(contact?.address).toBe(
      'Silicon Alley 5\nNew York, New York 12345\nUnited States of America',
    );
  });

  test('Apple company card', () => {
    const [contact] = importFixture('apple.vcf').contacts;
    expect(contact).toEqual({
      displayName: 'Apple Computer AG',
      kind: 'organization',
      organization: 'Apple Computer AG',
      address: 'Birgistrasse 4a\nWallisellen-Zürich 8304\nSwitzerland',
    });
  });

  test('Gmail card uses the first email', () => {
    const [contact] = importFixture('gmail-single2.vcf').contacts;
    expect(contact?.displayName).toBe('VCard Test');
    expect(contact?.email).toBe('email@example.com');
    expect(contact?.phone).toBe('5555551111');
    expect(contact?.notes).toBe(
      'note line 1\nnote line 2\nCustomField: field value',
    );
  });

  test('RFC 2426 example with escapes and folds', () => {
    const [contact] = importFixture('vcard3.vcf').contacts;
    expect(contact?.displayName).toBe('Mr. John Q. Public, Esq.');
    expect(contact?.familyName).toBe('Public');
    expect(contact?.organization).toBe('ABC, Inc.');
    expect(contact?.email).toBe('jqpublic@xyz.dom1.com');
    // The ADR fold "123 Main" + CRLF + two spaces keeps one space.
    expect(contact?.address).toBe('123 Main Street\nAny Town, CA 91921-1234');
    expect(contact?.notes).toBe(
      'This fax number is operational 0800 to 1715 EST, Mon-Fri.',
    );
  });

  test('fold inside a UTF-8 character', () => {
    const [contact] = importFixture('vcard9.vcf').contacts;
    expect(contact?.notes).toBe(
      'Длинный комментарий на русском языке, чтобы в результате ' +
        'получилась строка более 70 символов.',
    );
    expect(contact?.familyName).toBe(
      '123ㄓㄕㄖbcde' + 'αβγδ'.repeat(6) + 'αβㄤㄓㄕㄖ',
    );
    expect(contact?.displayName).toMatch(/^βγδεαβγδ1/);
  });

  test('Thunderbird card with escaped semicolon', () => {
    const [contact] = importFixture(
      'thunderbird-MoreFunctionsForAddressBook-extension.vcf',
    ).contacts;
    expect(contact?.email).toBe('doe.john@hotmail.com');
    expect(contact?.organization).toBe('TheOrganization');
    expect(contact?.notes).toBe(
      'This is the notes field.\nSecond Line\n\nFourth Line\n' +
        'You can put anything in the "note" field; even curse words.',
    );
  });

  test('vCard 4.0 cards', () => {
    const { contacts } = importFixture('v4.vcf');
    expect(contacts[0]).toEqual({
      displayName: 'Möhrke Gerda',
      kind: 'person',
      givenName: 'Gerda',
      familyName: 'Möhrke',
      organization: 'KiTa Öhrdingen',
      email: 'info@kinderland-blubblub.de',
      phone: '034441/ 2 22 67',
    });
    expect(contacts[1]?.email).toBe('privat@freenet.de');
    expect(contacts[1]?.address).toBe(
      'Alte Str. 32\nEntenhausen, Sachsen-Anhalt 06789\nDeutschland',
    );
  });

  test('vCard 4.0 data URI photo ignored', () => {
    const [contact] = importFixture('v4-uri-png.vcf').contacts;
    expect(contact).toEqual({
      displayName: 'URI PNG, version 4.0',
      kind: 'person',
      notes: 'This v4.0 card has a PNG photo as a URI and URI valuetype.',
    });
  });
});

describe('CSV fixtures', () => {
  test('Outlook export with multi-line notes', () => {
    const [contact] = importFixture('bug_6311.csv').contacts;
    expect(contact).toEqual({
      displayName: 'John Smith',
      kind: 'person',
      givenName: 'John',
      familyName: 'Smith',
      organization: 'International Inc',
      email: 'john@example.com',
      // "Business Fax" comes first in the file but is no phone column.
      phone: '(123) 555-2222',
      notes: 'PHP\nPerl\nPython',
    });
  });

  test('Google export with formatted address', () => {
    const [contact] = importFixture('gmail.csv').contacts;
    expect(contact).toEqual({
      displayName: 'Prefix Firstname Middle Lastname Suffix',
      kind: 'person',
      givenName: 'Firstname',
      familyName: 'Lastname',
      organization: 'company',
      email: 'home@aaa.pl',
      phone: 'pager',
      address:
        'home_street\nhome_pobox\nhome_city, home_state home_zip\nhome_country',
      notes: 'note"note',
    });
  });

  test('semicolon-separated file', () => {
    const { contacts } = importFixture('csv_semicolon.csv');
    expect(contacts).toEqual([
      {
        displayName: 'John Doe',
        kind: 'person',
        givenName: 'John',
        familyName: 'Doe',
        email: 'john@doe.invalid',
      },
      {
        displayName: 'Jane Doe',
        kind: 'person',
        givenName: 'Jane',
        familyName: 'Doe',
        email: 'jane@doe.invalid',
      },
    ]);
  });

  test('quoted fields with separators and breaks', () => {
    const { contacts } = importFixture('export.csv');
    expect(contacts[0]?.email).toBe('contact1@invalid');
    // Custom fields hold a comma, a tab, a CR and an LF inside quotes. Had
    // any of them split the row, Notes would hold another cell.
    expect(contacts[1]?.displayName).toBe('contact number two');
    expect(contacts[1]?.email).toBe('contact2@invalid');
    expect(contacts[1]?.notes).toBe("here's some unicode text…");
  });

  test('Thunderbird company row', () => {
    const [contact] = importFixture('quote.csv').contacts;
    expect(contact).toEqual({
      displayName: 'Acer America',
      kind: 'organization',
      organization: 'Acer America',
      phone: '(800) 000-0000',
    });
  });
});
