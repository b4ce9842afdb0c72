// Reads contact CSV exports of Google Contacts, Outlook and Thunderbird into
// raw contact records. papaparse does the CSV syntax (quotes, delimiters,
// line breaks inside fields); this file maps the header names.
import Papa from 'papaparse';

import { formatAddress, type AddressParts } from './address.js';
import type { RawContact } from './types.js';

/** Header names, lower case, for each single-value field, in preference order. */
const NAME_COLUMNS = {
  displayName: ['display name', 'name', 'full name'],
  givenName: ['first name', 'given name'],
  middleName: ['middle name', 'additional name'],
  familyName: ['last name', 'family name', 'surname'],
  organization: [
    'company',
    'organization',
    'organization name',
    'organization 1 - name',
  ],
  notes: ['notes', 'note'],
} as const;

type NameField = keyof typeof NAME_COLUMNS;

// Outlook: "E-mail Address", "E-mail 2 Address". Google: "E-mail 1 - Value".
// Thunderbird: "Primary Email". The type, label and display-name columns
// next to them hold no address.
const EMAIL_COLUMN = /e-?mail/;
const PHONE_COLUMN = /phone|mobile number/;
const NOT_A_VALUE_COLUMN = /type|label|display|yomi|fax|assistant/;

// Google joins several values of one cell with " ::: ".
const GOOGLE_VALUE_SEPARATOR = ' ::: ';

/** Column names of one address, as one export family names them. */
interface AddressColumns {
  formatted?: string;
  street: string[];
  poBox?: string;
  extended?: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
}

// Business addresses come before home ones because the firm writes to the
// client's business; within Google exports the user's own order is kept.
const ADDRESS_GROUPS: AddressColumns[] = [
  ...[1, 2, 3].map(googleAddress),
  outlookAddress('business'),
  outlookAddress('home'),
  outlookAddress('other'),
  thunderbirdAddress('work'),
  thunderbirdAddress('home'),
];

function googleAddress(n: number): AddressColumns {
  const prefix = `address ${n} - `;
  return {
    formatted: `${prefix}formatted`,
    street: [`${prefix}street`],
    poBox: `${prefix}po box`,
    extended: `${prefix}extended address`,
    locality: `${prefix}city`,
    region: `${prefix}region`,
    postalCode: `${prefix}postal code`,
    country: `${prefix}country`,
  };
}

function outlookAddress(kind: string): AddressColumns {
  return {
    street: [`${kind} street`, `${kind} street 2`, `${kind} street 3`],
    poBox: `${kind} address po box`,
    locality: `${kind} city`,
    region: `${kind} state`,
    postalCode: `${kind} postal code`,
    country: `${kind} country/region`,
  };
}

function thunderbirdAddress(kind: string): AddressColumns {
  return {
    street: [`${kind} address`, `${kind} address 2`],
    locality: `${kind} city`,
    region: `${kind} state`,
    postalCode: `${kind} zipcode`,
    country: `${kind} country`,
  };
}

/** A data row with access to its cells by header name. */
interface Row {
  cell(column: string | undefined): string | undefined;
  cells(columns: number[]): string[];
}

/** Reads every non-blank data row of a CSV file, in file order. */
export function readCsv(text: string, fileName: string): RawContact[] {
  const parsed = Papa.parse<string[]>(text, {
    header: false,
    delimiter: headerDelimiter(text),
  });
  const [header, ...rows] = parsed.data;
  const columns = (header ?? []).map(normalizeHeader);
  requireKnownColumns(columns, fileName);

  const brokenRows = quoteErrorsByRow(parsed.errors);
  const emailColumns = columnsMatching(columns, EMAIL_COLUMN);
  const phoneColumns = prefer(
    columns.indexOf('primary phone'),
    columnsMatching(columns, PHONE_COLUMN),
  );

  const contacts: RawContact[] = [];
  rows.forEach((cells, index) => {
    if (cells.every((cell) => cell.trim() === '')) return;
    const row = toRow(columns, cells);
    const contact = toRawContact(index, row, emailColumns, phoneColumns);
    contacts.push({ ...contact, parseError: brokenRows.get(index) });
  });
  return contacts;
}

const DELIMITERS = [',', ';', '\t', '|'];

/**
 * Picks the delimiter that occurs most often in the header row, comma on a
 * tie. papaparse's own guess (5.7) compares field counts across rows, and
 * with only a header and one row it picked the comma for a semicolon file.
 */
function headerDelimiter(text: string): string {
  const header = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const unquoted = header.replace(/"[^"]*"/g, '');
  const counts = DELIMITERS.map(
    (delimiter) => unquoted.split(delimiter).length - 1,
  );
  const best = Math.max(...counts);
  return DELIMITERS[counts.indexOf(best)] ?? ',';
}

function normalizeHeader(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

function requireKnownColumns(columns: string[], fileName: string): void {
  const known = [
    ...Object.values(NAME_COLUMNS).flat(),
    ...columns.filter((column) => EMAIL_COLUMN.test(column)),
  ];
  if (columns.some((column) => known.includes(column))) return;

  const found = columns.slice(0, 6).join(', ') || 'an empty header row';
  throw new Error(
    `${fileName}: the first CSV row names no contact column such as ` +
      `"First Name", "E-mail Address" or "E-mail 1 - Value" (found: ` +
      `${found}). Export the contacts from Google Contacts or Outlook as ` +
      `CSV with a header row, or as vCard.`,
  );
}

/** Maps data row positions to papaparse's message for an unclosed quote. */
function quoteErrorsByRow(errors: Papa.ParseError[]): Map<number, string> {
  const byRow = new Map<number, string>();
  for (const error of errors) {
    // Row 0 is the header; an error without a row concerns the whole file.
    if (error.type === 'Quotes' && error.row !== undefined && error.row > 0) {
      byRow.set(error.row - 1, error.message);
    }
  }
  return byRow;
}

function columnsMatching(columns: string[], pattern: RegExp): number[] {
  const matches: number[] = [];
  columns.forEach((column, position) => {
    if (pattern.test(column) && !NOT_A_VALUE_COLUMN.test(column)) {
      matches.push(position);
    }
  });
  return matches;
}

/** Moves one column to the front, as Outlook's "Primary Phone" should be. */
function prefer(position: number, positions: number[]): number[] {
  if (position === -1) return positions;
  return [position, ...positions.filter((other) => other !== position)];
}

function toRow(columns: string[], cells: string[]): Row {
  const valueAt = (position: number): string | undefined => {
    const value = cells[position]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    cell: (column) =>
      column === undefined ? undefined : valueAt(columns.indexOf(column)),
    cells: (positions) =>
      positions
        .map(valueAt)
        .filter((value): value is string => value !== undefined),
  };
}

function toRawContact(
  index: number,
  row: Row,
  emailColumns: number[],
  phoneColumns: number[],
): RawContact {
  const field = (name: NameField): string | undefined =>
    NAME_COLUMNS[name].map((column) => row.cell(column)).find(Boolean);
  const splitValues = (values: string[]): string[] =>
    values.flatMap((value) => value.split(GOOGLE_VALUE_SEPARATOR));

  return {
    index,
    // Spreadsheets number the header as row 1, so data row 0 is row 2.
    label: `row ${index + 2}`,
    displayName: field('displayName'),
    givenName: field('givenName'),
    middleName: field('middleName'),
    familyName: field('familyName'),
    organization: field('organization'),
    emails: splitValues(row.cells(emailColumns)),
    phones: splitValues(row.cells(phoneColumns)),
    address: readAddress(row),
    notes: field('notes'),
  };
}

function readAddress(row: Row): string | undefined {
  for (const group of ADDRESS_GROUPS) {
    const formatted = row.cell(group.formatted);
    if (formatted !== undefined) return formatted;

    const parts: AddressParts = {
      poBox: row.cell(group.poBox),
      extended: row.cell(group.extended),
      street: group.street
        .map((column) => row.cell(column))
        .filter(Boolean)
        .join('\n'),
      locality: row.cell(group.locality),
      region: row.cell(group.region),
      postalCode: row.cell(group.postalCode),
      country: row.cell(group.country),
    };
    const address = formatAddress(parts);
    if (address !== undefined) return address;
  }
  return undefined;
}
