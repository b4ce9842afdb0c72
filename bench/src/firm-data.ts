/**
 * A synthetic firm: contacts and invoices that pass the engine's schemas,
 * and the `firm` Y.Doc that contains them the way the engine's bridge writes
 * records (one `Y.Map` of fields per record, keyed by id).
 */
import * as Y from 'yjs';
import type { Contact, Invoice } from '@portico/engine';

export interface Firm {
  contacts: Contact[];
  invoices: Invoice[];
}

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Frances'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Allen'];

/**
 * Generates a firm with deterministic field values. Ids are random UUIDs,
 * as the engine creates them.
 */
export function generateFirm(contactCount: number, invoiceCount: number): Firm {
  const contacts = Array.from({ length: contactCount }, (_, i) =>
    generateContact(i),
  );
  const invoices = Array.from({ length: invoiceCount }, (_, i) => {
    const contact = contacts[i % contactCount] as Contact;
    return generateInvoice(i, contact.id);
  });
  return { contacts, invoices };
}

function generateContact(index: number): Contact {
  const givenName = GIVEN[index % GIVEN.length] as string;
  const familyName = FAMILY[index % FAMILY.length] as string;
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString();
  return {
    id: crypto.randomUUID(),
    displayName: `${givenName} ${familyName} ${index}`,
    kind: 'person',
    givenName,
    familyName,
    email: `client${index}@example.com`,
    phone: `+44 20 7946 ${String(index % 10000).padStart(4, '0')}`,
    address: `${index} High Street, London`,
    portal: { status: 'none' },
    createdAt: time,
    updatedAt: time,
  };
}

function generateInvoice(index: number, contactId: string): Invoice {
  const lines = [
    { description: 'Bookkeeping, monthly', quantity: 1, unitAmount: 25_000 },
    {
      description: 'Payroll run',
      quantity: 1 + (index % 5),
      unitAmount: 4_500,
    },
  ];
  const total = lines.reduce(
    (sum, line) => sum + line.quantity * line.unitAmount,
    0,
  );
  return {
    id: crypto.randomUUID(),
    contactId,
    number: `INV-${String(index + 1).padStart(6, '0')}`,
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    currency: 'GBP',
    lines,
    total,
    status: 'issued',
  };
}

/** Builds the `firm` doc with every record, in one transaction. */
export function buildFirmDoc(firm: Firm): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    writeRecords(doc.getMap('contacts'), firm.contacts);
    writeRecords(doc.getMap('invoices'), firm.invoices);
  });
  return doc;
}

function writeRecords(
  map: Y.Map<Y.Map<unknown>>,
  records: readonly { id: string }[],
): void {
  for (const record of records) {
    const fields = new Y.Map<unknown>();
    for (const [name, value] of Object.entries(record)) {
      // The id is the map key; the bridge keeps it out of the fields.
      if (name !== 'id' && value !== undefined) fields.set(name, value);
    }
    map.set(record.id, fields);
  }
}
