// The byte-level first pass over a vCard file: split it into cards, unfold
// lines and parse each content line's name and parameters. ical.js parses
// vCard 3.0 and 4.0 text, but it works on decoded strings and rejects
// vCard 2.1 syntax (bare parameters such as `TEL;CELL`, quoted-printable
// soft line breaks, `CHARSET=SHIFT_JIS` bytes). No maintained browser-safe
// library reads 2.1, so this small step is written here. It works on
// binary strings (one character per byte, see bytesToBinary) because a
// line fold may split a multi-byte character and each value may declare
// its own charset.

/** One card's unfolded content lines, as binary strings. */
export interface CardLines {
  /** Position of the card in the file, counting from 0. */
  index: number;
  /** The VERSION value, such as "2.1", or '' when the card has none. */
  version: string;
  lines: ContentLine[];
}

/** A parsed `group.NAME;PARAM=VALUE:value` line. */
export interface ContentLine {
  /** The property name in upper case, without its group prefix. */
  name: string;
  /** Parameter names in upper case mapped to their values. */
  params: Map<string, string[]>;
  /** Everything after the first colon outside quotes. */
  value: string;
  /** The line without its group prefix, as ical.js accepts it. */
  text: string;
}

const BEGIN_LINE = /^BEGIN:VCARD\s*$/i;
const END_LINE = /^END:VCARD\s*$/i;
// Encoding names that vCard 2.1 writers put as bare parameters.
const BARE_ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT']);

/** Splits a vCard file, given as a binary string, into its cards. */
export function splitCards(binary: string): CardLines[] {
  const cards: CardLines[] = [];
  let current: string[] | undefined;
  // A vCard 2.1 AGENT may embed a whole card. Its lines are dropped, since
  // they describe another person and are no contact of their own.
  let depth = 0;

  for (const line of binary.split(/\r\n|\r|\n/)) {
    if (BEGIN_LINE.test(line)) {
      depth++;
      if (depth === 1) current = [];
    } else if (END_LINE.test(line)) {
      if (depth === 1 && current !== undefined) {
        cards.push(toCard(cards.length, current));
        current = undefined;
      }
      depth = Math.max(0, depth - 1);
    } else if (depth === 1) {
      current?.push(line);
    }
  }

  // NOTE: a last card cut off before END:VCARD is still read, because a
  // truncated export should lose as little as possible.
  if (current !== undefined) cards.push(toCard(cards.length, current));
  return cards;
}

function toCard(index: number, physicalLines: string[]): CardLines {
  const lines = unfold(physicalLines)
    .map(parseContentLine)
    .filter((line): line is ContentLine => line !== undefined);
  const version = lines.find((line) => line.name === 'VERSION');
  return { index, version: version?.value.trim() ?? '', lines };
}

/**
 * Joins physical lines into logical ones. A line that starts with a space
 * or tab continues the previous one without that first character (the
 * folding rule of RFC 2425 and RFC 6350, which 2.1 writers also follow).
 * A quoted-printable value that ends in `=` continues on the next line
 * whatever that line starts with, so a `#` there is content.
 */
function unfold(physicalLines: string[]): string[] {
  const logical: string[] = [];
  let current: string | undefined;

  for (const line of physicalLines) {
    if (current !== undefined && hasSoftLineBreak(current)) {
      current = current.slice(0, -1) + line;
    } else if (current !== undefined && /^[ \t]/.test(line)) {
      current += line.slice(1);
    } else {
      if (current !== undefined) logical.push(current);
      current = line;
    }
  }
  if (current !== undefined) logical.push(current);

  // Blank lines separate base64 blocks in 2.1, and some writers add
  // `#` comment lines; neither is a property.
  return logical.filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

function hasSoftLineBreak(line: string): boolean {
  if (!line.endsWith('=')) return false;
  const colon = line.indexOf(':');
  return colon > 0 && /QUOTED-PRINTABLE/i.test(line.slice(0, colon));
}

/** Parses one logical line; returns undefined for a line with no colon. */
export function parseContentLine(line: string): ContentLine | undefined {
  const colon = findUnquoted(line, ':');
  if (colon <= 0) return undefined;

  const [qualifiedName = '', ...paramParts] = splitUnquoted(
    line.slice(0, colon),
    ';',
  );
  const dot = qualifiedName.lastIndexOf('.');
  const groupLength = dot === -1 ? 0 : dot + 1;

  return {
    name: qualifiedName.slice(groupLength).trim().toUpperCase(),
    params: parseParams(paramParts),
    value: line.slice(colon + 1),
    text: line.slice(groupLength),
  };
}

function parseParams(parts: string[]): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const add = (name: string, values: string[]): void => {
    params.set(name, [...(params.get(name) ?? []), ...values]);
  };

  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals === -1) {
      // vCard 2.1 allows a bare value, such as `TEL;CELL;PREF`.
      const value = part.trim().toUpperCase();
      add(BARE_ENCODINGS.has(value) ? 'ENCODING' : 'TYPE', [value]);
      continue;
    }
    const name = part.slice(0, equals).trim().toUpperCase();
    const values = splitUnquoted(part.slice(equals + 1), ',');
    add(
      name,
      values.map((value) => value.trim().replace(/^"(.*)"$/, '$1')),
    );
  }
  return params;
}

function findUnquoted(text: string, separator: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) return i;
  }
  return -1;
}

function splitUnquoted(text: string, separator: string): string[] {
  const parts: string[] = [];
  let rest = text;
  for (let at = findUnquoted(rest, separator); at !== -1;) {
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
    at = findUnquoted(rest, separator);
  }
  parts.push(rest);
  return parts;
}

/**
 * Decodes a quoted-printable value (RFC 2045) into bytes. Soft line breaks
 * were removed while unfolding; an `=` that starts no hex pair is kept.
 */
export function decodeQuotedPrintable(binary: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < binary.length; i++) {
    const hex = binary.slice(i + 1, i + 3);
    if (binary[i] === '=' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (binary[i] === '=' && i === binary.length - 1) {
      // A soft line break at the very end of the file carries nothing.
    } else {
      bytes.push(binary.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}
