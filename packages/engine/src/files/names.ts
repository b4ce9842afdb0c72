// File names arrive from browsers, desktop clients and email. They are shown
// to people and put into HTTP headers, so they are cleaned here once, in
// code that runs both in the browser and on the relay. Blobs are stored by
// hash, so a name is never used as a path.

/** Maximum length of a cleaned name in UTF-8 bytes (the usual file system limit). */
export const MAX_FILE_NAME_BYTES = 255;

/** Name used when nothing printable is left of the original. */
export const FALLBACK_FILE_NAME = 'file';

// An extension longer than this is treated as part of the stem when cutting,
// so a name like "a.<200 letters>" is not reduced to its extension.
const MAX_KEPT_EXTENSION_BYTES = 32;

// Tab, LF, VT, FF and CR separate words, so they become spaces instead of
// gluing the words together.
const WHITESPACE_CONTROLS = /[\t\n\v\f\r]/g;

// C0 controls, DEL and C1 controls. Matching them is the point here.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

// Bidi embeddings, overrides and isolates plus the LRM, RLM and ALM marks.
// U+202E makes "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

const PATH_SEPARATORS = /[/\\]/g;

const utf8 = new TextEncoder();

/**
 * Cleans an untrusted file name for storage and display: strips control and
 * bidi control characters, replaces `/` and `\` with `_`, collapses
 * whitespace, normalises to NFC and cuts the result to
 * {@link MAX_FILE_NAME_BYTES} UTF-8 bytes, keeping the extension. Returns
 * {@link FALLBACK_FILE_NAME} when nothing usable is left.
 */
export function sanitizeFileName(name: string): string {
  const cleaned = name
    .replace(WHITESPACE_CONTROLS, ' ')
    .replace(CONTROL_CHARACTERS, '')
    .replace(BIDI_CONTROLS, '')
    .replace(PATH_SEPARATORS, '_')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();

  // "." and ".." name directories on every file system a client might save
  // the file to, so a name made only of dots is not kept.
  if (cleaned === '' || /^\.+$/.test(cleaned)) return FALLBACK_FILE_NAME;
  return truncateFileName(cleaned, MAX_FILE_NAME_BYTES);
}

/** Returns the number of bytes `text` takes in UTF-8. */
export function utf8ByteLength(text: string): number {
  return utf8.encode(text).byteLength;
}

/**
 * Cuts `name` to at most `maxBytes` UTF-8 bytes on a code point boundary.
 * A short extension is kept and the stem before it is shortened instead.
 */
export function truncateFileName(name: string, maxBytes: number): string {
  if (utf8ByteLength(name) <= maxBytes) return name;

  const extension = keptExtension(name);
  const stem = name.slice(0, name.length - extension.length);
  const stemBudget = maxBytes - utf8ByteLength(extension);
  const cut = cutToBytes(stem, stemBudget).trimEnd();
  return cut === '' ? cutToBytes(name, maxBytes) : cut + extension;
}

function keptExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return '';
  const extension = name.slice(dot);
  return utf8ByteLength(extension) <= MAX_KEPT_EXTENSION_BYTES ? extension : '';
}

// Iterating a string yields whole code points, so a surrogate pair is never
// split.
function cutToBytes(text: string, maxBytes: number): string {
  let used = 0;
  let result = '';
  for (const codePoint of text) {
    const size = utf8ByteLength(codePoint);
    if (used + size > maxBytes) break;
    used += size;
    result += codePoint;
  }
  return result;
}
