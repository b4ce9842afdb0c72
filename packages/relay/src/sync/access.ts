import { FIRM_DOC, contactIdOfDoc } from '@portico/engine/protocol';
import type { Account } from '../storage/types.js';

/**
 * The parts of an account a sync connection keeps. Connections live long,
 * so they hold no password hash and nothing else they do not need.
 */
export type Principal = Pick<
  Account,
  'id' | 'role' | 'contactId' | 'mustChangePassword'
>;

/** Returns the fields of `account` that a connection keeps. */
export function toPrincipal(account: Account): Principal {
  const { id, role, contactId, mustChangePassword } = account;
  return { id, role, contactId, mustChangePassword };
}

/** Access level of one account to one doc. */
export type DocAccess = 'write' | 'read' | 'none';

/**
 * Decides access by role. Staff read and write the firm doc and every
 * portal doc. A client reads only the portal doc of its own contact and
 * never writes, because everything a client changes goes through the
 * relay's HTTP API. Names outside protocol v1 get no access for anyone.
 */
export function docAccess(account: Principal, docName: string): DocAccess {
  const contactId = contactIdOfDoc(docName);
  if (docName !== FIRM_DOC && contactId === undefined) return 'none';
  if (account.role === 'staff') return 'write';
  if (account.mustChangePassword) return 'none';
  if (contactId !== undefined && contactId === account.contactId) {
    return 'read';
  }
  return 'none';
}
