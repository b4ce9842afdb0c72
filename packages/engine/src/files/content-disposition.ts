import { FALLBACK_FILE_NAME, sanitizeFileName } from './names.js';

// Combining marks left over after NFD, so "Résumé" falls back to "Resume".
const COMBINING_MARKS = /[\u0300-\u036f]/g;

// Everything outside printable ASCII, plus "%", which RFC 6266 (appendix D)
// advises keeping out of the fallback because some user agents
// percent-decode it.
const NOT_SAFE_ASCII = /[^\x20-\x7e]|%/gu;

// RFC 5987 attr-char allows fewer characters than encodeURIComponent leaves
// unescaped: these four must be percent-encoded as well.
const EXTRA_ATTR_ESCAPES = /['()*]/g;

/**
 * Builds a `Content-Disposition: attachment` value for `name`, with an
 * ASCII `filename` for old user agents and the exact cleaned UTF-8 name in
 * `filename*` (RFC 6266 and RFC 5987).
 */
export function contentDispositionAttachment(name: string): string {
  const cleaned = sanitizeFileName(name);
  const fallback = asciiFallback(cleaned);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(cleaned)}`;
}

/** Returns a printable ASCII version of `name` with no quotes or backslashes. */
export function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(NOT_SAFE_ASCII, '_')
    .replace(/["\\]/g, '')
    .trim();
  return ascii === '' ? FALLBACK_FILE_NAME : ascii;
}

/** Percent-encodes `value` as an RFC 5987 `value-chars` string. */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    EXTRA_ATTR_ESCAPES,
    (character) =>
      '%' + character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'),
  );
}
