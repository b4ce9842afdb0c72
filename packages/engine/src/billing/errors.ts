/** Category of a `BillingError`, so callers can branch without parsing text. */
export type BillingErrorCode =
  | 'unknown-currency'
  | 'invalid-amount'
  | 'invalid-quantity'
  | 'invalid-line'
  | 'invalid-date'
  | 'overflow';

/**
 * Raised for invalid money input. The message names the bad value and what
 * is accepted; `code` classifies the failure.
 */
export class BillingError extends Error {
  override readonly name = 'BillingError';

  constructor(
    readonly code: BillingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
