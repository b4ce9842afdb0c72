/**
 * Turns engine errors into sentences for staff: what happened to their
 * work and what they can do about it. The technical detail stays available
 * for a support request.
 */
import { CloseCode, type EngineError } from '@portico/engine';

export interface StaffMessage {
  /** Account of the event, in the staff member's terms. */
  summary: string;
  /** Next step for the staff member. */
  action: string;
  /** The engine's own message, for the administrator. */
  detail: string;
}

const COLLECTION_NOUNS: Record<string, string> = {
  contacts: 'contact',
  documents: 'document',
  invoices: 'invoice',
  payments: 'payment',
  outbox: 'portal email',
  portalprofiles: 'portal profile',
  portalfiles: 'portal file',
  portalinvoices: 'published invoice',
  portalpayments: 'published payment',
  portalsettings: 'portal setting',
};

export function describeEngineError(error: EngineError): StaffMessage {
  const detail = [error.message, error.reason].filter(Boolean).join(' ');
  return { ...sentencesFor(error), detail };
}

function sentencesFor(error: EngineError): Omit<StaffMessage, 'detail'> {
  const noun = COLLECTION_NOUNS[error.collection ?? ''] ?? 'record';
  switch (error.kind) {
    case 'quarantine':
      return {
        summary: `A ${noun} received from the relay has invalid data and was not loaded. Your other records are fine.`,
        action:
          'Ask your administrator to look at the record named in the details.',
      };
    case 'invalid-write':
      return {
        summary: `A change to a ${noun} was not saved because it is invalid.`,
        action: 'Open the record, correct the fields and save it again.',
      };
    case 'doc-denied':
      return {
        summary: 'The relay refused access to part of the firm data.',
        action:
          'Log out and log in again. If this repeats, ask your administrator to check your account.',
      };
    case 'connection-rejected':
      return rejectedConnection(error.code);
    case 'protocol':
      return {
        summary:
          'The relay sent data this app cannot read. The app reconnects by itself.',
        action:
          'If this repeats, reload the page; your changes on this computer are kept.',
      };
    case 'storage':
      return {
        summary: 'Saving data on this computer failed.',
        action:
          'Free some disk space or close other Portico tabs, then reload the page.',
      };
  }
}

function rejectedConnection(code: number | undefined) {
  switch (code) {
    case CloseCode.unauthenticated:
      return {
        summary: 'Your session has ended, so changes are no longer synced.',
        action:
          'Log out and log in again. Changes made meanwhile stay on this computer.',
      };
    case CloseCode.forbidden:
      return {
        summary: 'The relay does not allow this account to sync.',
        action: 'Ask your administrator to check your staff account.',
      };
    case CloseCode.tooMany:
      return {
        summary: 'Too many Portico windows are connected for this account.',
        action: 'Close other Portico tabs or windows, then reload this page.',
      };
    default:
      return {
        summary: 'The relay closed the connection and syncing stopped.',
        action:
          'Reload the page. If this repeats, give the details to your administrator.',
      };
  }
}
