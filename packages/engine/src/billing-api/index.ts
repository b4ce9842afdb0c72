/**
 * The staff billing API over the engine's invoices and payments, and the
 * online payment settings. `@portico/engine/billing` has the money
 * arithmetic this module builds on.
 */
export * from './errors.js';
export {
  FROZEN_FIELDS,
  checkInvoice,
  checkInvoiceChange,
  storedLines,
} from './invoice-rules.js';
export {
  FIRM_SETTINGS_KEY,
  FIRM_SETTINGS_MAP,
  effectiveAllowPayments,
  type ClientPaymentSettings,
  type FirmSettings,
} from './payment-settings.js';
export type {
  InvoiceDraftInput,
  InvoiceDraftPatch,
  InvoiceSummary,
  PaymentRecordInput,
  StaffBilling,
  SummaryOptions,
} from './staff-billing.js';
