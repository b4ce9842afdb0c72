import express, {
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.js';
import { originAllowed, readCredential } from '../accounts/credentials.js';
import type { RelayMetrics } from '../metrics.js';
import { passwordChangeGuard } from '../accounts/password-routes.js';
import { authRoutes, type AuthRoutesOptions } from './auth-routes.js';
import { errorHandler, sendError } from './errors.js';
import type { PayRoutes } from './pay-routes.js';
import {
  defaultWebAppDirs,
  webAppRoutes,
  type WebAppDirs,
} from './web-apps.js';

export interface AppOptions {
  accounts: Accounts;
  metrics: RelayMetrics;
  logger: Logger;
  publicOrigin: string;
  secureCookie: boolean;
  /** Folders of the built web apps; defaults to the UI packages' dist. */
  webApps?: WebAppDirs;
  /** Returns false once the relay cannot serve (for example, shutting down). */
  isHealthy: () => boolean;
  /** The pay route and the payment provider's webhook. */
  payRoutes?: PayRoutes;
  /** See `AuthRoutesOptions.admitLogin`. */
  admitLogin?: AuthRoutesOptions['admitLogin'];
  /** Further API routers, such as the blob and portal file routes. */
  apiRouters?: readonly express.Router[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds the relay's HTTP API as an Express app. */
export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: options.logger.child({ component: 'http' }),
      serializers: { req: summarizeRequest, res: summarizeResponse },
    }),
  );
  app.use(securityHeaders(options.secureCookie));
  // The webhook signature covers the raw body, so no parser may run first.
  if (options.payRoutes) app.use(options.payRoutes.webhook);
  app.use(express.json({ limit: '16kb' }));
  app.use(checkOrigin(options.publicOrigin));
  app.use(passwordChangeGuard(options.accounts, options.publicOrigin));

  app.get('/healthz', (_req, res) => {
    const healthy = options.isHealthy();
    res
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? 'ok' : 'stopping' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });
  app.use('/api/auth', authRoutes(options));
  if (options.payRoutes) app.use(options.payRoutes.api);
  for (const router of options.apiRouters ?? []) app.use(router);
  app.use('/api', (_req, res) => {
    sendError(res, 404, 'not_found', 'No such API endpoint.');
  });
  app.use(webAppRoutes(options.webApps ?? defaultWebAppDirs(), options.logger));

  app.use(errorHandler(options.logger));
  return app;
}

/**
 * helmet's defaults, minus the two that break a relay served over plain
 * HTTP on a LAN or loopback: upgrading subresources to https and HSTS.
 * Behind HTTPS (a `https:` PUBLIC_URL) both stay on.
 */
function securityHeaders(secure: boolean) {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: secure ? [] : null,
        imgSrc: ["'self'", 'data:', 'blob:'],
      },
    },
    strictTransportSecurity: secure,
  });
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
}

/**
 * Logs a request without its headers, because `Authorization` and
 * `Cookie` carry session tokens. This applies even with a caller's logger
 * that has no redaction configured.
 */
function summarizeRequest(req: SerializedRequest) {
  const { id, method, url, remoteAddress } = req;
  return { id, method, url, remoteAddress };
}

/** Logs a response without headers, because `Set-Cookie` has the token. */
function summarizeResponse(res: { statusCode: number }) {
  return { statusCode: res.statusCode };
}

/**
 * Rejects state-changing requests whose `Origin` belongs to another site,
 * and cookie-authenticated ones with no `Origin` at all, against
 * cross-site request forgery. Bearer requests need no `Origin`.
 */
function checkOrigin(publicOrigin: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const usesCookie = readCredential(req)?.via === 'cookie';
    const hasOrigin = req.headers.origin !== undefined;
    if ((hasOrigin || usesCookie) && !originAllowed(req, publicOrigin)) {
      return sendError(res, 403, 'origin_mismatch', 'Origin not allowed.');
    }
    next();
  };
}
