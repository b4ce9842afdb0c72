/** The Contact fields an import fills in: no id, portal state or times. */
export interface ContactInput {
  displayName: string;
  kind: 'person' | 'organization';
  givenName?: string;
  familyName?: string;
  organization?: string;
  email?: string;
  phone?: string;
  address?: string;
  notes?: string;
}

/** A record of the file that was not imported. */
export interface SkippedRecord {
  /** Position of the record in the file: card order, or data row order. */
  index: number;
  /** Text that locates the record in the file: "card 3" or "row 4". */
  label: string;
  reason: string;
}

/** A record whose email matches an existing contact or an earlier record. */
export interface DuplicateRecord {
  /** Position of the record in the file: card order, or data row order. */
  index: number;
  email: string;
  reason: string;
}

export interface ImportResult {
  contacts: ContactInput[];
  skipped: SkippedRecord[];
  duplicates: DuplicateRecord[];
}

/**
 * One record as read from a vCard or a CSV row, before names are cleaned,
 * an email is chosen and the record is checked for duplicates.
 */
export interface RawContact {
  index: number;
  label: string;
  displayName?: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  organization?: string;
  /** True when the source marks the record as a company. */
  isOrganization?: boolean;
  /** True for a vCard that describes a contact group, not a contact. */
  isGroup?: boolean;
  /** The parser's message when the record could not be read whole. */
  parseError?: string;
  /** Every email value in file order; the first valid one is used. */
  emails: string[];
  /** Every phone value in file order; the first one is used. */
  phones: string[];
  address?: string;
  notes?: string;
}
