/**
 * Money for invoices and payments: currency exponents, exact line totals,
 * balances and statuses. No floating point and no platform imports, so the
 * engine and the relay share one implementation.
 */
export * from './errors.js';
export * from './currency.js';
export * from './totals.js';
export * from './status.js';
export { formatScaledDecimal } from './decimal.js';
