/**
 * Wires the outbox and the client account lifecycle into a relay: the
 * delivery table, the mailer, the drainer, the password routes and the
 * login check for temporary passwords.
 */
import path from 'node:path';
import { Router } from 'express';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import { FIRM_DOC } from '@portico/engine/protocol';
import type { Accounts, LoginResult } from '../accounts/accounts.js';
import { ClientAccounts, RESET_VALID_MS } from '../accounts/client-accounts.js';
import { authenticateRequest } from '../accounts/credentials.js';
import { passwordRoutes } from '../accounts/password-routes.js';
import type { RelayConfig } from '../config.js';
import { setSessionCookie } from '../http/auth-routes.js';
import { HttpError } from '../http/errors.js';
import { createMailer, type BackoffOptions } from '../mail/mailer.js';
import type { Storage } from '../storage/types.js';
import type { DocManager } from '../sync/doc-manager.js';
import { DeliveryStore } from './delivery-store.js';
import { portalUrlOf, type MailSettings } from './mail-settings.js';
import { Outbox } from './outbox.js';
import { openSideDatabase } from './side-database.js';

/** Outbox timing knobs; tests shorten them. */
export interface OutboxTuning {
  pollMs?: number;
  maxAttempts?: number;
  leaseMs?: number;
  retry?: BackoffOptions;
}

export interface MailServiceOptions {
  config: RelayConfig;
  accounts: Accounts;
  storage: Storage;
  docs: DocManager;
  logger: Logger;
  tuning?: OutboxTuning;
}

export interface MailService {
  outbox: Outbox;
  clientAccounts: ClientAccounts;
  routers: Router[];
  admitLogin(result: LoginResult): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_MAIL_FROM = 'Portico <no-reply@portico.invalid>';

export async function startMailService(
  options: MailServiceOptions,
): Promise<MailService> {
  const { config, accounts, storage, docs } = options;
  const logger = options.logger;
  const db = openSideDatabase(config.dataDir);
  const clientAccounts = new ClientAccounts({
    storage,
    accounts,
    db,
    inviteValidMs: config.inviteValidHours * 60 * 60 * 1000,
  });
  if (config.smtpUrl !== undefined && config.mailFrom === undefined) {
    logger.warn(
      { mailFrom: DEFAULT_MAIL_FROM },
      'MAIL_FROM is unset; set it to an address your SMTP server accepts',
    );
  }
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    mailDir: path.join(config.dataDir, 'mail'),
    from: config.mailFrom ?? DEFAULT_MAIL_FROM,
    logger,
  });
  const settings = mailSettingsOf(config);
  const outbox = new Outbox({
    docs,
    storage,
    deliveries: new DeliveryStore(db),
    clientAccounts,
    mailer,
    logger,
    settings,
    publicUrl: config.publicUrl,
    firmNotifyEmail: config.firmNotifyEmail,
    ...options.tuning,
  });
  try {
    await outbox.start();
  } catch (error) {
    mailer.close();
    db.close();
    throw error;
  }

  const routes = passwordRoutes({
    accounts,
    clientAccounts,
    queuePasswordReset: (email, contactId) =>
      outbox.queuePasswordReset(email, contactId),
    onPasswordChanged: (contactId) => markContactActive(docs, contactId),
    logger: logger.child({ component: 'http' }),
    publicOrigin: new URL(config.publicUrl).origin,
    setSessionCookie: (res, token) =>
      setSessionCookie(res, token, config.publicUrl.startsWith('https:')),
  });
  return {
    outbox,
    clientAccounts,
    routers: [
      routes,
      relayInfoRoute(accounts, new URL(config.publicUrl).origin, settings),
    ],
    admitLogin: (result) => clientAccounts.admitLogin(result),
    async stop() {
      await outbox.close();
      db.close();
    },
  };
}

/**
 * `GET /api/relay/info` for staff: the mail settings, so that a staff
 * engine previews email with the values the relay sends it with.
 */
function relayInfoRoute(
  accounts: Accounts,
  publicOrigin: string,
  settings: MailSettings,
): Router {
  const router = Router();
  router.get('/api/relay/info', async (req, res) => {
    const auth = await authenticateRequest(req, accounts, publicOrigin);
    if (!auth.ok) throw new HttpError(auth.status, auth.code, auth.message);
    if (auth.account.role !== 'staff') {
      throw new HttpError(403, 'forbidden', 'Only staff may read this.');
    }
    res.json({ mail: settings });
  });
  return router;
}

export function mailSettingsOf(config: RelayConfig): MailSettings {
  return {
    firmName: config.firmName ?? new URL(config.publicUrl).hostname,
    portalUrl: portalUrlOf(config.publicUrl),
    inviteValidMinutes: config.inviteValidHours * 60,
    resetValidMinutes: RESET_VALID_MS / 60_000,
  };
}

/** Sets a contact's portal status to `active` as a relay write. */
export async function markContactActive(
  docs: DocManager,
  contactId: string,
): Promise<void> {
  await docs.writeAsRelay(FIRM_DOC, (doc) => {
    const contact = doc.getMap<unknown>('contacts').get(contactId);
    if (!(contact instanceof Y.Map)) return;
    const record = contact as Y.Map<unknown>;
    const portal = record.get('portal') as Record<string, unknown> | undefined;
    if (portal?.['status'] === 'active') return;
    record.set('portal', { ...portal, status: 'active' });
  });
}
