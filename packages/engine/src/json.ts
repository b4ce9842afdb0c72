/** JSON helpers shared by the bridge and the stores. */
import type { JsonRecord } from './collections.js';

/**
 * Serializes a JSON value with object keys sorted, so that two equal
 * records always produce the same string. Undefined object members are
 * left out, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: JsonRecord = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortKeys((value as JsonRecord)[key]);
  }
  return sorted;
}

/** Removes RxDB's bookkeeping fields (`_rev`, `_meta`, `_deleted`, ...). */
export function withoutMeta(row: object): JsonRecord {
  const plain: JsonRecord = {};
  for (const [key, value] of Object.entries(row)) {
    if (!key.startsWith('_')) plain[key] = value;
  }
  return plain;
}

/** Returns true when the value is a plain JSON object (not an array). */
export function isJsonRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
