/**
 * The staff billing API: invoice drafts and their life cycle, received
 * payments, publishing both to the client's portal, balances, and the
 * online payment settings.
 */
import {
  invoiceBalance,
  invoiceStatus,
  invoiceTotal,
  normalizeCurrency,
  utcDate,
  type InvoiceBalance,
  type InvoiceLine,
  type InvoiceStatus,
} from '../billing/index.js';
import { BillingError } from '../billing/errors.js';
import type { JsonRecord } from '../collections.js';
import type { EngineCore } from '../engine-core.js';
import { RecordNotFoundError } from '../errors.js';
import type { DocReplica } from '../persistence/doc-replica.js';
import type { RecordStore } from '../record-store.js';
import type { Contact, Invoice, Payment } from '../schemas.js';
import type { InvoiceInput, PaymentInput } from '../staff-engine.js';
import { BillingRuleError } from './errors.js';
import { checkDates, storedLines } from './invoice-rules.js';
import {
  effectiveAllowPayments,
  overrideOf,
  PaymentSettingsKeeper,
  PORTAL_SETTINGS_KEY,
  PORTAL_SETTINGS_MAP,
  readFirmSettings,
  writeFirmSettings,
  type ClientPaymentSettings,
  type FirmSettings,
} from './payment-settings.js';
import { PortalDocs } from './portal-docs.js';

/** A new draft invoice. The total is computed from the lines. */
export interface InvoiceDraftInput {
  id?: string;
  contactId: string;
  number: string;
  /** YYYY-MM-DD. */
  issueDate: string;
  /** YYYY-MM-DD, on or after the issue date. */
  dueDate: string;
  /** ISO 4217 code in any letter case; stored in upper case. */
  currency: string;
  lines: InvoiceLine[];
}

/** Changes to a draft; an issued invoice accepts only `dueDate`. */
export type InvoiceDraftPatch = Partial<
  Pick<InvoiceDraftInput, 'number' | 'issueDate' | 'dueDate' | 'currency'>
> & { lines?: InvoiceLine[] };

/** A received payment. */
export interface PaymentRecordInput {
  id?: string;
  /** Defaults to the invoice's contact. Required without an invoice. */
  contactId?: string;
  invoiceId?: string;
  /** Integer in minor units; negative for a refund. */
  amount: number;
  /** Must equal the invoice's currency when there is an invoice. */
  currency: string;
  /** ISO 8601; defaults to now. */
  receivedAt?: string;
  /** Payment method, such as "bank transfer" or "card". */
  method: string;
  reference?: string;
}

export interface SummaryOptions {
  /** YYYY-MM-DD; defaults to today's UTC date. */
  today?: string;
  /**
   * `published` (default) counts the payments the client can see, as the
   * portal and the relay do; `all` counts every recorded payment.
   */
  payments?: 'published' | 'all';
}

/** An invoice with its derived status and balance. */
export interface InvoiceSummary {
  invoice: Invoice;
  status: InvoiceStatus;
  balance: InvoiceBalance;
}

export interface StaffBilling {
  createInvoice(input: InvoiceDraftInput): Promise<Invoice>;
  updateInvoice(id: string, patch: InvoiceDraftPatch): Promise<Invoice>;
  /** Draft to issued; the lines and amounts are frozen from then on. */
  issueInvoice(id: string): Promise<Invoice>;
  /** Draft or issued to void; a published invoice turns void on the portal. */
  voidInvoice(id: string): Promise<Invoice>;
  recordPayment(input: PaymentRecordInput): Promise<Payment>;
  /** Copies an issued invoice to the client's portal ("Upload Selected Invoice"). */
  publishInvoice(id: string): Promise<Invoice>;
  /** Copies a payment to the client's portal ("Upload to Portal"). */
  publishPayment(id: string): Promise<Payment>;
  summarizeInvoice(
    id: string,
    options?: SummaryOptions,
  ): Promise<InvoiceSummary>;
  /** The firm-wide settings, or undefined before the first `setFirmSettings`. */
  firmSettings(): FirmSettings | undefined;
  setFirmSettings(patch: Partial<FirmSettings>): Promise<FirmSettings>;
  clientPaymentSettings(contactId: string): Promise<ClientPaymentSettings>;
  /** Sets a client's override; null follows the firm default again. */
  setClientAllowPayments(
    contactId: string,
    allow: boolean | null,
  ): Promise<ClientPaymentSettings>;
  /** Resolves when the portal settings reflect every settings change. */
  whenSettingsApplied(): Promise<void>;
  /** Stops keeping the portal settings up to date; called on close. */
  stop(): Promise<void>;
}

export interface StaffBillingDeps {
  core: EngineCore;
  firm: DocReplica;
  contacts: Pick<RecordStore<Contact>, 'get'>;
  /** The guarded invoice store, so the billing rules apply here too. */
  invoices: RecordStore<Invoice, InvoiceInput>;
  payments: RecordStore<Payment, PaymentInput>;
}

export function createStaffBilling(deps: StaffBillingDeps): StaffBilling {
  return new Billing(deps);
}

class Billing implements StaffBilling {
  private readonly portals: PortalDocs;
  private readonly keeper: PaymentSettingsKeeper;

  constructor(private readonly deps: StaffBillingDeps) {
    this.portals = new PortalDocs(deps.core);
    this.keeper = new PaymentSettingsKeeper(deps.core, deps.firm, this.portals);
  }

  async createInvoice(input: InvoiceDraftInput): Promise<Invoice> {
    await this.requireContact(input.contactId);
    checkDates(input.issueDate, input.dueDate);
    const lines = storedLines(input.lines);
    return this.deps.invoices.create({
      ...(input.id === undefined ? {} : { id: input.id }),
      contactId: input.contactId,
      number: input.number,
      issueDate: input.issueDate,
      dueDate: input.dueDate,
      currency: normalizeCurrency(input.currency),
      lines,
      total: invoiceTotal(lines),
      status: 'draft',
    });
  }

  async updateInvoice(id: string, patch: InvoiceDraftPatch): Promise<Invoice> {
    const current = await this.requireInvoice(id);
    const change: Partial<Invoice> = { ...patch } as Partial<Invoice>;
    if (patch.currency !== undefined) {
      change.currency = normalizeCurrency(patch.currency);
    }
    if (patch.lines !== undefined) {
      change.lines = storedLines(patch.lines);
      change.total = invoiceTotal(change.lines);
    }
    checkDates(
      change.issueDate ?? current.issueDate,
      change.dueDate ?? current.dueDate,
    );
    const updated = await this.deps.invoices.update(id, change);
    if (updated.publishedAt !== undefined) await this.copyInvoice(updated);
    return updated;
  }

  async issueInvoice(id: string): Promise<Invoice> {
    const invoice = await this.requireInvoice(id);
    if (invoice.lines.length === 0) {
      throw new BillingError(
        'invalid-line',
        `Invoice ${invoice.number} has no lines; add at least one line ` +
          'before issuing it.',
      );
    }
    return this.deps.invoices.update(id, { status: 'issued' });
  }

  async voidInvoice(id: string): Promise<Invoice> {
    await this.requireInvoice(id);
    const updated = await this.deps.invoices.update(id, { status: 'void' });
    if (updated.publishedAt !== undefined) await this.copyInvoice(updated);
    return updated;
  }

  async recordPayment(input: PaymentRecordInput): Promise<Payment> {
    const currency = normalizeCurrency(input.currency);
    checkPaymentAmount(input.amount, currency);
    const contactId = await this.paymentContact(input, currency);
    return this.deps.payments.create({
      ...(input.id === undefined ? {} : { id: input.id }),
      contactId,
      ...(input.invoiceId === undefined ? {} : { invoiceId: input.invoiceId }),
      amount: input.amount,
      currency,
      receivedAt: input.receivedAt ?? new Date().toISOString(),
      method: input.method,
      ...(input.reference === undefined ? {} : { reference: input.reference }),
    });
  }

  async publishInvoice(id: string): Promise<Invoice> {
    const invoice = await this.requireInvoice(id);
    // A published invoice may be copied again, to refresh the portal.
    if (invoice.status !== 'issued' && invoice.publishedAt === undefined) {
      throw new BillingRuleError(
        'not-issued',
        `Invoice ${invoice.number} is ${invoice.status}; only issued ` +
          'invoices can be published, so issue it first.',
      );
    }
    await this.requirePortal(invoice.contactId);

    const published = { ...invoice, publishedAt: invoice.publishedAt ?? now() };
    // The portal copy goes first: if the engine stops in between, staff
    // see the invoice as unpublished and publishing again repairs it.
    await this.copyInvoice(published);
    if (invoice.publishedAt !== undefined) return invoice;
    return this.deps.invoices.update(id, {
      publishedAt: published.publishedAt,
    });
  }

  async publishPayment(id: string): Promise<Payment> {
    const payment = await this.deps.payments.get(id);
    if (payment === undefined) throw new RecordNotFoundError('payments', id);
    await this.requirePortal(payment.contactId);
    if (payment.invoiceId !== undefined) {
      await this.checkPaymentInvoice(payment);
    }

    const publishedAt = payment.publishedAt ?? now();
    const { id: key, contactId, ...fields } = payment;
    await this.portals.write(contactId, 'payments', key, {
      ...fields,
      publishedAt,
    });
    if (payment.publishedAt !== undefined) return payment;
    return this.deps.payments.update(id, { publishedAt });
  }

  async summarizeInvoice(
    id: string,
    options: SummaryOptions = {},
  ): Promise<InvoiceSummary> {
    const invoice = await this.requireInvoice(id);
    const all = options.payments === 'all';
    const payments = (await this.deps.payments.list()).filter(
      (payment) =>
        payment.invoiceId === id && (all || payment.publishedAt !== undefined),
    );
    const today = options.today ?? utcDate();
    return {
      invoice,
      status: invoiceStatus(invoice, payments, today),
      balance: invoiceBalance(invoice, payments),
    };
  }

  firmSettings(): FirmSettings | undefined {
    return readFirmSettings(this.deps.firm);
  }

  async setFirmSettings(patch: Partial<FirmSettings>): Promise<FirmSettings> {
    await writeFirmSettings(this.deps.firm, patch);
    await this.keeper.whenIdle();
    const settings = readFirmSettings(this.deps.firm);
    if (settings === undefined)
      throw new Error('Firm settings were not stored.');
    return settings;
  }

  async clientPaymentSettings(
    contactId: string,
  ): Promise<ClientPaymentSettings> {
    await this.requirePortal(contactId);
    const record = await this.readPortalSettings(contactId);
    const override = overrideOf(record);
    const stored = record?.['allowPayments'] === true;
    const firm = this.firmSettings();
    return {
      contactId,
      allowPayments: effectiveAllowPayments(firm, override, stored),
      override,
    };
  }

  async setClientAllowPayments(
    contactId: string,
    allow: boolean | null,
  ): Promise<ClientPaymentSettings> {
    await this.requirePortal(contactId);
    const record = (await this.readPortalSettings(contactId)) ?? {};
    const firm = this.firmSettings();
    const stored = record['allowPayments'] === true;
    const override = allow ?? undefined;
    const next: JsonRecord = {
      ...record,
      firmName: stringOr(record['firmName'], firm?.firmName ?? ''),
      allowPayments: effectiveAllowPayments(firm, override, stored),
      allowPaymentsOverride: override,
    };
    await this.portals.write(
      contactId,
      PORTAL_SETTINGS_MAP,
      PORTAL_SETTINGS_KEY,
      next,
    );
    return this.clientPaymentSettings(contactId);
  }

  whenSettingsApplied(): Promise<void> {
    return this.keeper.whenIdle();
  }

  stop(): Promise<void> {
    return this.keeper.stop();
  }

  // Helpers ----------------------------------------------------------------

  private async copyInvoice(invoice: Invoice): Promise<void> {
    const { id, contactId, ...fields } = invoice;
    await this.portals.write(contactId, 'invoices', id, fields);
  }

  private readPortalSettings(contactId: string) {
    return this.portals.read(
      contactId,
      PORTAL_SETTINGS_MAP,
      PORTAL_SETTINGS_KEY,
    );
  }

  private async requireInvoice(id: string): Promise<Invoice> {
    const invoice = await this.deps.invoices.get(id);
    if (invoice === undefined) throw new RecordNotFoundError('invoices', id);
    return invoice;
  }

  private async requireContact(id: string): Promise<Contact> {
    const contact = await this.deps.contacts.get(id);
    if (contact === undefined) throw new RecordNotFoundError('contacts', id);
    return contact;
  }

  /** Raises unless the contact has been synced to the portal. */
  private async requirePortal(contactId: string): Promise<void> {
    const contact = await this.requireContact(contactId);
    if (contact.portal.status === 'none') {
      throw new BillingRuleError(
        'contact-not-published',
        `Contact ${contact.displayName} (${contactId}) is not on the ` +
          'portal; sync the contact to the portal first.',
      );
    }
  }

  /** Returns the payment's contact after checking it against the invoice. */
  private async paymentContact(
    input: PaymentRecordInput,
    currency: string,
  ): Promise<string> {
    if (input.invoiceId === undefined) {
      if (input.contactId === undefined) {
        throw new BillingRuleError(
          'contact-mismatch',
          'A payment without an invoice needs a contactId; pass the ' +
            'contact that paid.',
        );
      }
      await this.requireContact(input.contactId);
      return input.contactId;
    }
    const invoice = await this.requireInvoice(input.invoiceId);
    const payment = {
      contactId: input.contactId ?? invoice.contactId,
      currency,
      amount: input.amount,
    };
    checkAgainstInvoice(payment, invoice);
    return payment.contactId;
  }

  private async checkPaymentInvoice(payment: Payment): Promise<void> {
    const invoice = await this.requireInvoice(payment.invoiceId ?? '');
    checkAgainstInvoice(payment, invoice);
    if (invoice.publishedAt === undefined) {
      throw new BillingRuleError(
        'invoice-not-published',
        `Payment ${payment.id} is for invoice ${invoice.number}, which is ` +
          'not on the portal; publish the invoice first.',
      );
    }
  }
}

function checkAgainstInvoice(
  payment: Pick<Payment, 'contactId' | 'currency' | 'amount'>,
  invoice: Invoice,
): void {
  if (payment.contactId !== invoice.contactId) {
    throw new BillingRuleError(
      'contact-mismatch',
      `Invoice ${invoice.number} belongs to contact ${invoice.contactId}, ` +
        `not ${payment.contactId}; record the payment for that contact.`,
    );
  }
  if (payment.currency !== invoice.currency) {
    throw new BillingRuleError(
      'currency-mismatch',
      `A ${payment.currency} payment cannot pay invoice ${invoice.number}, ` +
        `which is in ${invoice.currency}; record the amount in ` +
        `${invoice.currency} as received after conversion.`,
    );
  }
}

function checkPaymentAmount(amount: number, currency: string): void {
  if (!Number.isSafeInteger(amount) || amount === 0) {
    throw new BillingError(
      'invalid-amount',
      `Invalid ${currency} payment amount ${String(amount)}: expected a ` +
        'non-zero integer in minor units, negative for a refund.',
    );
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function now(): string {
  return new Date().toISOString();
}
