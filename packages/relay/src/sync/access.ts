import { FIRM_DOC, contactIdOfDoc } from '@portico/engine/protocol';
import type { Account } from '../storage/types.js';

/** Access level of one account to one doc. */
export type DocAccess = 'write' | 'read' | 'none';

/**
 * Decides access by role. Staff read and write the firm doc and every
 * portal doc. A client reads only the portal doc of its own contact and
 * never writes, because everything a client changes goes through the
 * relay's HTTP API. Names outside protocol v1 get no access for anyone.
 */
export function docAccess(account: Account, docName: string): DocAccess {
  const contactId = contactIdOfDoc(docName);
  if (docName !== FIRM_DOC && contactId === undefined) return 'none';
  if (account.role === 'staff') return 'write';
  if (account.mustChangePassword) return 'none';
  if (contactId !== undefined && contactId === account.contactId) {
    return 'read';
  }
  return 'none';
}
