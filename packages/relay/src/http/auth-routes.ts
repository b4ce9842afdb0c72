import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE } from '@portico/engine/protocol';
import {
  LoginError,
  SESSION_TTL_MS,
  hashToken,
  type Accounts,
  type LoginResult,
} from '../accounts/accounts.js';
import { AccountError } from '../accounts/client-accounts.js';
import {
  authenticateRequest,
  readCredential,
} from '../accounts/credentials.js';
import type { RelayMetrics } from '../metrics.js';
import type { Logger } from 'pino';
import { HttpError, sendError } from './errors.js';

export interface AuthRoutesOptions {
  accounts: Accounts;
  metrics: RelayMetrics;
  logger: Logger;
  publicOrigin: string;
  /** Adds `Secure` to the session cookie; true when served over https. */
  secureCookie: boolean;
  /**
   * Runs after a password matched and may still reject the login by
   * throwing, such as for a used or expired temporary password.
   */
  admitLogin?: (result: LoginResult) => Promise<void>;
}

const loginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** `/api/auth/login`, `/api/auth/logout` and `/api/auth/session`. */
export function authRoutes(options: AuthRoutesOptions): Router {
  const router = Router();
  router.post('/login', (req, res) => login(options, req, res));
  router.post('/logout', (req, res) => logout(options, req, res));
  router.get('/session', (req, res) => session(options, req, res));
  return router;
}

async function login(
  options: AuthRoutesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const body = loginBody.safeParse(req.body);
  if (!body.success) {
    throw new HttpError(400, 'invalid_body', 'Send { email, password }.');
  }
  const { email, password } = body.data;
  // NOTE: Express does not trust X-Forwarded-For here, so behind a reverse
  // proxy every login shares the proxy's address and its per-IP budget.
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  try {
    const result = await options.accounts.login(email, password, ip);
    await options.admitLogin?.(result);
    // Rotation: a session the request carried ends when a new one starts.
    const previous = readCredential(req);
    if (previous) await options.accounts.endSession(hashToken(previous.token));

    setSessionCookie(res, result.token, options.secureCookie);
    options.logger.info({ accountId: result.account.id }, 'login succeeded');
    res.json({
      token: result.token,
      role: result.account.role,
      mustChangePassword: result.account.mustChangePassword,
    });
  } catch (error) {
    if (error instanceof AccountError) {
      options.logger.info({ ip, reason: error.code }, 'login failed');
      return sendError(res, error.status, error.code, error.message);
    }
    if (!(error instanceof LoginError)) throw error;
    options.metrics.authFailures.inc({ reason: error.code });
    options.logger.info({ ip, reason: error.code }, 'login failed');
    if (error.retryAfterSeconds !== undefined) {
      res.set('Retry-After', String(error.retryAfterSeconds));
    }
    sendError(res, error.status, error.code, error.message);
  }
}

async function logout(
  options: AuthRoutesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const auth = await authenticateRequest(
    req,
    options.accounts,
    options.publicOrigin,
  );
  if (auth.ok) await options.accounts.endSession(auth.tokenHash);
  res.clearCookie(SESSION_COOKIE, cookieOptions(options.secureCookie));
  res.status(204).end();
}

async function session(
  options: AuthRoutesOptions,
  req: Request,
  res: Response,
): Promise<void> {
  const auth = await authenticateRequest(
    req,
    options.accounts,
    options.publicOrigin,
  );
  if (!auth.ok) throw new HttpError(auth.status, auth.code, auth.message);
  const { account } = auth;
  res.json({
    role: account.role,
    email: account.email,
    ...(account.contactId ? { contactId: account.contactId } : {}),
    mustChangePassword: account.mustChangePassword,
  });
}

export function setSessionCookie(
  res: Response,
  token: string,
  secure: boolean,
) {
  res.cookie(SESSION_COOKIE, token, {
    ...cookieOptions(secure),
    maxAge: SESSION_TTL_MS,
  });
}

function cookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure,
    path: '/',
  };
}
