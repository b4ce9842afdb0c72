/** Category of a `BillingRuleError`, so callers can branch without parsing. */
export type BillingRuleCode =
  /** The invoice is issued or void, so its lines and amounts cannot change. */
  | 'invoice-frozen'
  /** The status change is not allowed, such as void to issued. */
  | 'invalid-transition'
  /** The stored total differs from the sum of the line totals. */
  | 'total-mismatch'
  /** A payment's currency differs from its invoice's currency. */
  | 'currency-mismatch'
  /** A payment names another contact than its invoice. */
  | 'contact-mismatch'
  /** Only issued invoices can be published. */
  | 'not-issued'
  /** A payment's invoice must be on the portal before the payment. */
  | 'invoice-not-published'
  /** The contact has no portal yet. */
  | 'contact-not-published'
  /** A date is not a YYYY-MM-DD calendar date, or due before issue. */
  | 'invalid-date';

/**
 * Raised when a billing action breaks a rule of the invoice life cycle.
 * The message names the record and the value and states what to do instead.
 */
export class BillingRuleError extends Error {
  override readonly name = 'BillingRuleError';

  constructor(
    readonly code: BillingRuleCode,
    message: string,
  ) {
    super(message);
  }
}
