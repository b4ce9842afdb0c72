import { describe, expect, it } from 'vitest';
import type { PortalFile, PortalInvoice, PortalPayment } from '@portico/engine';
import {
  sortFiles,
  sortInvoices,
  sortPayments,
} from '../src/engine/portal-data.js';
import { isPayable, summarizeInvoice } from '../src/ui/billing.js';

function file(id: string, uploadedAt: string, status = 'available') {
  return {
    id,
    contactId: 'c1',
    name: `${id}.pdf`,
    size: 1,
    sha256: '0'.repeat(64),
    mediaType: 'application/pdf',
    direction: 'to-client',
    uploadedAt,
    status,
  } as PortalFile;
}

function invoice(overrides: Partial<PortalInvoice> = {}): PortalInvoice {
  return {
    id: 'inv-1',
    contactId: 'c1',
    number: '2025-001',
    issueDate: '2025-01-01',
    dueDate: '2025-01-31',
    currency: 'EUR',
    lines: [{ description: 'Advice', quantity: 2, unitAmount: 5000 }],
    total: 10000,
    status: 'issued',
    ...overrides,
  };
}

function payment(
  id: string,
  amount: number,
  receivedAt = '2025-01-10T09:00:00Z',
) {
  return {
    id,
    contactId: 'c1',
    invoiceId: 'inv-1',
    amount,
    currency: 'EUR',
    receivedAt,
    method: 'card',
  } as PortalPayment;
}

describe('sortFiles', () => {
  it('puts the newest first and hides deleted files', () => {
    const rows = [
      file('a', '2025-01-01T10:00:00.000Z'),
      file('b', '2025-03-01T10:00:00.000Z'),
      file('c', '2025-02-01T10:00:00.000Z', 'deleted'),
      file('d', '2025-02-01T10:00:00.000Z'),
    ];
    expect(sortFiles(rows).map((row) => row.id)).toEqual(['b', 'd', 'a']);
  });

  it('orders equal times by id', () => {
    const time = '2025-01-01T10:00:00.000Z';
    const rows = [file('z', time), file('m', time)];
    expect(sortFiles(rows).map((row) => row.id)).toEqual(['m', 'z']);
  });
});

describe('sortInvoices', () => {
  it('hides drafts and puts the newest issue date first', () => {
    const rows = [
      invoice({ id: 'old', issueDate: '2024-12-01' }),
      invoice({ id: 'draft', issueDate: '2025-05-01', status: 'draft' }),
      invoice({ id: 'new', issueDate: '2025-02-01' }),
    ];
    expect(sortInvoices(rows).map((row) => row.id)).toEqual(['new', 'old']);
  });
});

describe('sortPayments', () => {
  it('puts the newest first without changing the input', () => {
    const rows = [
      payment('p1', 1, '2025-01-01T00:00:00Z'),
      payment('p2', 1, '2025-02-01T00:00:00Z'),
    ];
    expect(sortPayments(rows).map((row) => row.id)).toEqual(['p2', 'p1']);
    expect(rows.map((row) => row.id)).toEqual(['p1', 'p2']);
  });
});

describe('summarizeInvoice', () => {
  it('derives partly paid and the balance', () => {
    const summary = summarizeInvoice(
      invoice(),
      [payment('p1', 4000)],
      '2025-01-15',
    );
    expect(summary.status).toBe('partly-paid');
    expect(summary.balance?.balance).toBe(6000);
    expect(isPayable(summary)).toBe(true);
  });

  it('is not payable once paid', () => {
    const summary = summarizeInvoice(
      invoice(),
      [payment('p1', 10000)],
      '2025-01-15',
    );
    expect(summary.status).toBe('paid');
    expect(isPayable(summary)).toBe(false);
  });

  it('is not payable when void', () => {
    const summary = summarizeInvoice(
      invoice({ status: 'void' }),
      [],
      '2025-01-15',
    );
    expect(summary.status).toBe('void');
    expect(isPayable(summary)).toBe(false);
  });

  it('reports bad data instead of throwing', () => {
    const summary = summarizeInvoice(
      invoice({ dueDate: 'soon' }),
      [],
      '2025-01-15',
    );
    expect(summary.status).toBeUndefined();
    expect(summary.problem).toContain('"soon"');
    expect(isPayable(summary)).toBe(false);
  });
});
