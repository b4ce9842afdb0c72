/**
 * `POST /api/auth/password`, `/api/auth/forgot` and `/api/auth/reset`, and
 * the guard that keeps a session with a temporary password away from
 * everything else under `/api`.
 */
import {
  Router,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { HttpError, sendError } from '../http/errors.js';
import type { Accounts, LoginResult } from './accounts.js';
import { AccountError, type ClientAccounts } from './client-accounts.js';
import { authenticateRequest, readCredential } from './credentials.js';
import { MAX_PASSWORD_LENGTH, WeakPasswordError } from './password-policy.js';

export interface PasswordRoutesOptions {
  accounts: Accounts;
  clientAccounts: ClientAccounts;
  /** Queues the reset email; the relay's outbox makes the token at send. */
  queuePasswordReset(email: string, contactId: string | null): Promise<unknown>;
  /** Called after a client's password changed, to mark it `active`. */
  onPasswordChanged(contactId: string): Promise<void>;
  logger: Logger;
  publicOrigin: string;
  setSessionCookie(res: Response, token: string): void;
}

const passwordBody = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z
    .string()
    .min(1)
    .max(MAX_PASSWORD_LENGTH * 4),
});
const forgotBody = z.object({ email: z.string().trim().min(1).max(320) });
const resetBody = z.object({
  token: z.string().min(1).max(128),
  newPassword: z
    .string()
    .min(1)
    .max(MAX_PASSWORD_LENGTH * 4),
});

/** Reset emails allowed per account per hour, against inbox flooding. */
const RESETS_PER_HOUR = 3;

/** Builds the password routes, with their full `/api/auth/...` paths. */
export function passwordRoutes(options: PasswordRoutesOptions): Router {
  const router = Router();
  const resetLimiter = new RateLimiterMemory({
    keyPrefix: 'password-reset',
    points: RESETS_PER_HOUR,
    duration: 60 * 60,
  });
  router.post('/api/auth/password', (req, res) =>
    changePassword(options, req, res),
  );
  router.post('/api/auth/forgot', (req, res) => {
    forgot(options, resetLimiter, req, res);
  });
  router.post('/api/auth/reset', (req, res) => reset(options, req, res));
  return router;
}

async function changePassword(
  options: PasswordRoutesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const auth = await authenticateRequest(
    req,
    options.accounts,
    options.publicOrigin,
  );
  if (!auth.ok) throw new HttpError(auth.status, auth.code, auth.message);
  const body = passwordBody.safeParse(req.body);
  if (!body.success) {
    throw new HttpError(
      400,
      'invalid_body',
      'Send { currentPassword, newPassword } as strings.',
    );
  }
  const { account } = auth;
  let result: LoginResult;
  try {
    result = await options.clientAccounts.changePassword(
      account,
      body.data.currentPassword,
      body.data.newPassword,
      clientIp(req),
    );
  } catch (error) {
    throw toHttpError(error);
  }
  options.setSessionCookie(res, result.token);
  options.logger.info({ accountId: account.id }, 'password changed');
  if (account.contactId !== null) await markActive(options, account.contactId);
  res.json({
    token: result.token,
    role: result.account.role,
    mustChangePassword: false,
  });
}

function forgot(
  options: PasswordRoutesOptions,
  limiter: RateLimiterMemory,
  req: Request,
  res: Response,
): void {
  const body = forgotBody.safeParse(req.body);
  if (!body.success) {
    throw new HttpError(400, 'invalid_body', 'Send { email } as a string.');
  }
  // The response goes out before any lookup, so its content and timing
  // are the same whether or not the address has an account.
  res.status(202).json({
    status: 'accepted',
    message:
      'If this address has a portal account, a reset link is on its way.',
  });
  const email = body.data.email;
  queueReset(options, limiter, email).catch((error: unknown) =>
    options.logger.error({ err: error }, 'queueing a password reset failed'),
  );
}

async function queueReset(
  options: PasswordRoutesOptions,
  limiter: RateLimiterMemory,
  email: string,
): Promise<void> {
  const account = await options.clientAccounts.findClient(email);
  if (!account) {
    options.logger.info('password reset asked for an address with no client');
    return;
  }
  try {
    await limiter.consume(account.id);
  } catch (rejection) {
    if (rejection instanceof Error) throw rejection;
    options.logger.warn(
      { accountId: account.id },
      'password reset limit reached; no email queued',
    );
    return;
  }
  await options.queuePasswordReset(account.email, account.contactId);
}

async function reset(
  options: PasswordRoutesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const body = resetBody.safeParse(req.body);
  if (!body.success) {
    throw new HttpError(
      400,
      'invalid_body',
      'Send { token, newPassword } as strings.',
    );
  }
  let accountId: string;
  let contactId: string | null;
  try {
    const account = await options.clientAccounts.resetPassword(
      body.data.token,
      body.data.newPassword,
    );
    accountId = account.id;
    contactId = account.contactId;
  } catch (error) {
    throw toHttpError(error);
  }
  options.logger.info({ accountId }, 'password reset');
  if (contactId !== null) await markActive(options, contactId);
  res.status(204).end();
}

async function markActive(options: PasswordRoutesOptions, contactId: string) {
  try {
    await options.onPasswordChanged(contactId);
  } catch (error) {
    // The password change is stored; only the status shown to staff lags.
    options.logger.error(
      { err: error, contactId },
      'marking the contact active failed',
    );
  }
}

/**
 * Rejects with 403 every `/api` request whose session must change its
 * password first, except the auth routes that such a session needs:
 * change the password, read its own session, log out.
 */
export function passwordChangeGuard(accounts: Accounts, publicOrigin: string) {
  const allowed = new Set([
    'POST /api/auth/password',
    'GET /api/auth/session',
    'POST /api/auth/logout',
    'POST /api/auth/login',
    'POST /api/auth/forgot',
    'POST /api/auth/reset',
  ]);
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path.replace(/\/+$/, '');
    if (!path.startsWith('/api/') || allowed.has(`${req.method} ${path}`)) {
      return next();
    }
    if (!readCredential(req)) return next();
    authenticateRequest(req, accounts, publicOrigin).then(
      (auth) => {
        if (auth.ok && auth.account.mustChangePassword) {
          return sendError(
            res,
            403,
            'password_change_required',
            'Choose a new password first with POST /api/auth/password.',
          );
        }
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

function toHttpError(error: unknown): unknown {
  if (error instanceof AccountError || error instanceof WeakPasswordError) {
    const status = error instanceof AccountError ? error.status : 400;
    return new HttpError(status, error.code, error.message);
  }
  return error;
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
