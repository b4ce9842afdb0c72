import type { BlobRange } from './store.js';

/** Result of reading a `Range` header against a body of known size. */
export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; range: BlobRange }
  | { kind: 'unsatisfiable' };

const SINGLE_BYTE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Parses a `Range` header (RFC 9110) for a body of `size`
 * bytes. Only a single byte range is honoured. A header with several ranges,
 * another unit or bad syntax is ignored, so the full body is sent, which the
 * RFC allows.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): RangeResult {
  if (header === undefined) return { kind: 'full' };
  const match = SINGLE_BYTE_RANGE.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };

  // "bytes=-N" requests the last N bytes.
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return {
      kind: 'partial',
      range: { start: Math.max(0, size - suffix), end: size - 1 },
    };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size)
    return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'full' };
  return { kind: 'partial', range: { start, end } };
}
