// Reads vCard 2.1, 3.0 and 4.0 files into raw contact records. Cards in
// 3.0 and 4.0 syntax go through ical.js; 2.1 cards, and cards that ical.js
// rejects, go through the small reader in this file.
import ICAL from 'ical.js';

import { formatAddress } from './address.js';
import {
  binaryToBytes,
  bytesToBinary,
  decodeBytes,
  type SourceBytes,
} from './text.js';
import type { RawContact } from './types.js';
import {
  decodeQuotedPrintable,
  splitCards,
  type CardLines,
  type ContentLine,
} from './vcard-lines.js';

/** A property reduced to its name and its text components. */
interface CardProperty {
  name: string;
  /** Structured parts (N, ADR, ORG) in order; one part for other names. */
  components: string[];
}

// Only these properties feed a contact. Everything else, PHOTO, LOGO,
// SOUND and KEY with their large base64 values included, is dropped before
// parsing, so an odd binary property can neither break a card nor cost
// parse time.
const USED_PROPERTIES = new Set([
  'VERSION',
  'FN',
  'N',
  'ORG',
  'EMAIL',
  'TEL',
  'ADR',
  'NOTE',
  'KIND',
  'X-ABSHOWAS',
  'X-ADDRESSBOOKSERVER-KIND',
]);
const STRUCTURED_PROPERTIES = new Set(['N', 'ADR', 'ORG']);

/** Backslash escapes: 2.1 escapes only `;`, 3.0 and 4.0 also `\ , n`. */
type EscapeRules = '2.1' | '3.0';

/** Reads every card of a vCard file, in file order. */
export function readVCards(source: SourceBytes): RawContact[] {
  const cards = splitCards(bytesToBinary(source.bytes));
  return cards.map((card) =>
    toRawContact(card.index, readProperties(card, source)),
  );
}

function readProperties(card: CardLines, source: SourceBytes): CardProperty[] {
  const lines = card.lines.filter((line) => USED_PROPERTIES.has(line.name));
  if (card.version === '2.1' || lines.some(isQuotedPrintable)) {
    return lines.map((line) => readLegacyProperty(line, source, '2.1'));
  }

  try {
    return readWithIcal(lines, source);
  } catch {
    // Some writers label cards 3.0 but keep 2.1 habits such as bare
    // parameters (`TEL;CELL:`), which ical.js rejects. The lenient reader
    // reads them with 3.0 escapes instead of losing the card.
    return lines.map((line) => readLegacyProperty(line, source, '3.0'));
  }
}

function isQuotedPrintable(line: ContentLine): boolean {
  const encodings = line.params.get('ENCODING') ?? [];
  return encodings.some((value) => /^QUOTED-PRINTABLE$/i.test(value));
}

/** Returns the CHARSET parameter unless the caller decoded the bytes. */
function charsetOf(line: ContentLine, source: SourceBytes): string | undefined {
  return source.fromText ? undefined : line.params.get('CHARSET')?.[0];
}

function readWithIcal(
  lines: ContentLine[],
  source: SourceBytes,
): CardProperty[] {
  const body = lines.map((line) => toIcalLine(line, source));
  const text = ['BEGIN:VCARD', ...body, 'END:VCARD', ''].join('\r\n');
  const jCard: unknown = ICAL.parse(text);
  if (!Array.isArray(jCard)) throw new Error('ical.js returned no vCard');

  const component = new ICAL.Component(jCard);
  return component.getAllProperties().map((property) => {
    const name = property.name.toUpperCase();
    const values: unknown[] = property.getValues();
    return { name, components: toComponents(name, values[0]) };
  });
}

function toIcalLine(line: ContentLine, source: SourceBytes): string {
  const charset = charsetOf(line, source);
  const prefix = line.text.slice(0, line.text.length - line.value.length);
  const value = decodeBytes(binaryToBytes(line.value), charset);
  const structured = STRUCTURED_PROPERTIES.has(line.name);
  return (
    decodeBytes(binaryToBytes(prefix), charset) +
    (structured ? value : unescapeSemicolons(value))
  );
}

/**
 * Turns `\;` into `;` in an unstructured value before ical.js reads it.
 * RFC 2426 (vCard 3.0) lists `\;` as a text escape and RFC 6350 does not,
 * so ical.js 2.2 keeps the backslash, yet writers of both versions (such
 * as Thunderbird) emit it. `\\` pairs are skipped, so an escaped backslash
 * before a semicolon stays as it is.
 */
function unescapeSemicolons(value: string): string {
  return value.replace(/\\(\\|;)/g, (escape: string, char: string) =>
    char === ';' ? ';' : escape,
  );
}

/** Flattens an ical.js value; list parts such as two given names join. */
function toComponents(name: string, value: unknown): string[] {
  const listSeparator = name === 'ADR' ? ', ' : ' ';
  const toText = (part: unknown): string => {
    if (typeof part === 'string') return part;
    if (typeof part === 'number') return String(part);
    if (Array.isArray(part)) {
      return part.map(toText).filter(Boolean).join(listSeparator);
    }
    return '';
  };
  return Array.isArray(value) ? value.map(toText) : [toText(value)];
}

function readLegacyProperty(
  line: ContentLine,
  source: SourceBytes,
  escapes: EscapeRules,
): CardProperty {
  const quotedPrintable = isQuotedPrintable(line);
  const bytes = quotedPrintable
    ? decodeQuotedPrintable(line.value)
    : binaryToBytes(line.value);
  // Bytes that quoted-printable produced were never decoded, even when the
  // caller passed a string, so their CHARSET always applies.
  const charset = quotedPrintable
    ? line.params.get('CHARSET')?.[0]
    : charsetOf(line, source);
  const text = decodeBytes(bytes, charset);

  const structured = STRUCTURED_PROPERTIES.has(line.name);
  return { name: line.name, components: unescape(text, escapes, structured) };
}

/**
 * Resolves backslash escapes and, for structured values, splits on each
 * `;` that is not escaped. Runs after charset decoding, because a Shift_JIS
 * character may contain the byte of `\` as its second byte.
 */
function unescape(
  text: string,
  escapes: EscapeRules,
  structured: boolean,
): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (char === '\\' && next !== '' && isEscapable(next, escapes)) {
      current += /^[nN]$/.test(next) ? '\n' : next;
      i++;
    } else if (char === ';' && structured) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function isEscapable(char: string, escapes: EscapeRules): boolean {
  return escapes === '2.1' ? char === ';' : '\\;,nN'.includes(char);
}

function toRawContact(index: number, properties: CardProperty[]): RawContact {
  const first = (name: string): string[] =>
    properties.find((property) => property.name === name)?.components ?? [];
  const all = (name: string): string[] =>
    properties
      .filter((property) => property.name === name)
      .map((property) => property.components[0] ?? '');

  const [familyName, givenName, middleName] = first('N');
  const kind = first('KIND')[0]?.trim().toLowerCase();
  const appleKind = first('X-ADDRESSBOOKSERVER-KIND')[0]?.trim().toLowerCase();
  const showAs = first('X-ABSHOWAS')[0]?.trim().toUpperCase();

  return {
    index,
    label: `card ${index + 1}`,
    displayName: first('FN')[0],
    givenName,
    middleName,
    familyName,
    organization: first('ORG')[0],
    isOrganization:
      kind === 'org' || kind === 'organization' || showAs === 'COMPANY',
    isGroup: kind === 'group' || appleKind === 'group',
    emails: all('EMAIL'),
    phones: all('TEL').map((phone) => phone.replace(/^tel:/i, '')),
    address: readAddress(first('ADR')),
    notes: joinDistinct(all('NOTE')),
  };
}

function readAddress(parts: string[]): string | undefined {
  const [poBox, extended, street, locality, region, postalCode, country] =
    parts;
  return formatAddress({
    poBox,
    extended,
    street,
    locality,
    region,
    postalCode,
    country,
  });
}

/** Joins several NOTE values with a blank line, each distinct one once. */
function joinDistinct(values: string[]): string | undefined {
  const distinct = [...new Set(values.filter((value) => value.trim()))];
  return distinct.length === 0 ? undefined : distinct.join('\n\n');
}
