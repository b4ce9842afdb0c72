// Contact import from vCard (2.1, 3.0, 4.0) and CSV exports of Google
// Contacts, Outlook and Thunderbird. Works on strings and bytes only, so
// it runs in browsers and in Node.
import { readCsv } from './csv.js';
import { buildReport } from './report.js';
import { bytesToBinary, decodeBytes, readSource } from './text.js';
import type { ImportResult, RawContact } from './types.js';
import { readVCards } from './vcard.js';

export type {
  ContactInput,
  DuplicateRecord,
  ImportResult,
  SkippedRecord,
} from './types.js';

/** The part of an existing contact that duplicate detection compares. */
export interface ExistingContact {
  email?: string;
}

/**
 * Reads the contacts of a vCard or CSV file and reports what it skipped
 * and which contacts may be duplicates. The format is detected from the
 * content; `fileName` only appears in error messages. Bytes are decoded as
 * UTF-8, or windows-1252 when they are not valid UTF-8, unless a vCard
 * value declares its CHARSET. See buildReport for the duplicate rules.
 *
 * Throws when the file is empty, or when it is neither a vCard nor a CSV
 * file with a known contact header. The message names the file and the fix.
 */
export function importContacts(
  fileName: string,
  content: string | Uint8Array,
  existing: ExistingContact[],
): ImportResult {
  return buildReport(readRecords(fileName, content), existing);
}

function readRecords(
  fileName: string,
  content: string | Uint8Array,
): RawContact[] {
  const source = readSource(content);
  if (startsWithBeginVCard(source.bytes)) return readVCards(source);

  const text = decodeBytes(source.bytes);
  if (text.trim() === '') {
    throw new Error(
      `${fileName} is empty. Choose a vCard (.vcf) or CSV export of contacts.`,
    );
  }
  if (/\.(vcf|vcard)$/i.test(fileName)) {
    throw new Error(
      `${fileName} does not start with BEGIN:VCARD, so it is not a vCard ` +
        `file. Export the contacts again as vCard or as CSV.`,
    );
  }
  return readCsv(text, fileName);
}

/** Checks the first non-blank line, which is ASCII in every vCard. */
function startsWithBeginVCard(bytes: Uint8Array): boolean {
  const start = bytesToBinary(bytes.subarray(0, 1024)).trimStart();
  const firstLine = start.split(/\r\n|\r|\n/, 1)[0] ?? '';
  return /^BEGIN:VCARD\s*$/i.test(firstLine);
}
