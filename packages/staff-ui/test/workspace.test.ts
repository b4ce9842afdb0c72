/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatMoney,
  replicaName,
  Workspace,
  type Contact,
} from '../src/engine/workspace.js';

const FIXTURES = new URL(
  '../../../../shared/fixtures/contacts/',
  import.meta.url,
);

const opened: Workspace[] = [];

async function openWorkspace(): Promise<Workspace> {
  const workspace = await Workspace.open({
    relayUrl: 'http://127.0.0.1:9',
    email: 'staff@example.com',
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    startOnline: false,
  });
  opened.push(workspace);
  return workspace;
}

/** Resolves with the first contact list that passes `predicate`. */
function nextContacts(
  workspace: Workspace,
  predicate: (contacts: Contact[]) => boolean,
): Promise<Contact[]> {
  return new Promise((resolve) => {
    const stop = workspace.watchContacts((contacts) => {
      if (!predicate(contacts)) return;
      queueMicrotask(() => stop());
      resolve(contacts);
    });
  });
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((workspace) => workspace.close()));
});

describe('Workspace', () => {
  it('creates and edits a contact', async () => {
    const workspace = await openWorkspace();
    const created = await workspace.createContact({
      kind: 'person',
      displayName: 'Ada',
      email: 'ada@example.com',
      phone: '+1 555 0100',
    });
    expect(created.portal.status).toBe('none');

    const updated = await workspace.updateContact(created.id, {
      kind: 'person',
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect(updated.displayName).toBe('Ada Lovelace');
    expect(updated.phone).toBeUndefined();
  });

  it('keeps fields changed since the edit began', async () => {
    const workspace = await openWorkspace();
    const base = { kind: 'person' as const, displayName: 'Ada', phone: '1' };
    const created = await workspace.createContact(base);
    // Another device sets the notes while this form is open.
    await workspace.updateContact(
      created.id,
      { ...base, notes: 'from elsewhere' },
      base,
    );

    const saved = await workspace.updateContact(
      created.id,
      { ...base, phone: '2' },
      base,
    );
    expect(saved.phone).toBe('2');
    expect(saved.notes).toBe('from elsewhere');
  });

  it('counts an offline edit as pending', async () => {
    const workspace = await openWorkspace();
    await workspace.createContact({ kind: 'person', displayName: 'Ada' });
    expect(workspace.pendingChanges).toBeGreaterThan(0);
  });

  it('imports a vCard file and flags known emails', async () => {
    const workspace = await openWorkspace();
    const bytes = new Uint8Array(readFileSync(new URL('vcard3.vcf', FIXTURES)));
    const first = workspace.previewImport('vcard3.vcf', bytes);
    expect(first.contacts.length).toBeGreaterThan(0);
    expect(first.duplicates).toEqual([]);

    const outcome = await workspace.createImported(first.contacts);
    expect(outcome).toEqual({ created: first.contacts.length, failed: [] });
    await nextContacts(workspace, (list) => list.length === outcome.created);

    const again = workspace.previewImport('vcard3.vcf', bytes);
    expect(again.duplicates.length).toBe(again.contacts.length);
  });

  it('reports an invalid imported contact and goes on', async () => {
    const workspace = await openWorkspace();
    const outcome = await workspace.createImported([
      { kind: 'person', displayName: 'x'.repeat(500) },
      { kind: 'person', displayName: 'Valid' },
    ]);
    expect(outcome.created).toBe(1);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]?.reason).toMatch(/displayName/);
  });

  it('rejects a file that is not a contacts export', async () => {
    const workspace = await openWorkspace();
    const bytes = new TextEncoder().encode('hello');
    expect(() => workspace.previewImport('notes.vcf', bytes)).toThrow(
      /notes\.vcf/,
    );
  });
});

describe('replicaName', () => {
  it('folds case and keeps accounts apart', () => {
    expect(replicaName('Staff@Example.com')).toBe(
      replicaName('staff@example.com'),
    );
    expect(replicaName('a.b@example.com')).not.toBe(
      replicaName('a-b@example.com'),
    );
    expect(replicaName('staff@example.com')).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});

/** Intl puts no-break spaces between amount and symbol in some locales. */
function money(amount: number, currency: string, locale: string): string {
  return formatMoney(amount, currency, locale).replace(/\s/gu, ' ');
}

describe('formatMoney', () => {
  it('uses the currency exponent', () => {
    expect(money(123456, 'EUR', 'en-US')).toBe('€1,234.56');
    expect(money(1234, 'JPY', 'en-US')).toBe('¥1,234');
    expect(money(1234567, 'KWD', 'en-US')).toBe('KWD 1,234.567');
  });

  it('follows the locale', () => {
    expect(money(123456, 'EUR', 'de-DE')).toBe('1.234,56 €');
  });

  it('keeps large amounts exact', () => {
    expect(money(9007199254740991, 'USD', 'en-US')).toBe(
      '$90,071,992,547,409.91',
    );
  });
});
