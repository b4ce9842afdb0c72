/**
 * Serves the built web apps: the staff app under `/staff/` and the client
 * portal at `/`. Both are single-page apps, so a path with no file behind
 * it gets the app's `index.html` and the app's router takes over.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Response, Router } from 'express';
import type { Logger } from 'pino';
import { sendError } from './errors.js';

export interface WebAppDirs {
  /** Built staff app (`packages/staff-ui/dist`). */
  staffDir: string;
  /** Built client portal (`packages/portal-ui/dist`). */
  portalDir: string;
}

/** Returns the `dist` folders of the UI packages beside this relay. */
export function defaultWebAppDirs(): WebAppDirs {
  const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));
  return {
    staffDir: path.join(packagesDir, 'staff-ui', 'dist'),
    portalDir: path.join(packagesDir, 'portal-ui', 'dist'),
  };
}

/** Builds the router; logs a warning for an app that is not built. */
export function webAppRoutes(dirs: WebAppDirs, logger: Logger): Router {
  const router = Router();
  router.use('/staff', singlePageApp(dirs.staffDir, 'staff app', logger));
  router.use('/', singlePageApp(dirs.portalDir, 'client portal', logger));
  return router;
}

function singlePageApp(dir: string, label: string, logger: Logger): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ dir }, `the ${label} is not built; run npm run build`);
    router.use((_req, res) => {
      sendError(
        res,
        503,
        'not_built',
        `The ${label} is not built. Run npm run build, then restart.`,
      );
    });
    return router;
  }

  router.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders: setCacheHeaders,
    }),
  );
  // Paths with a file extension are assets: a missing one is a real 404,
  // not a route of the app.
  router.get('/*splat', (req, res, next) => {
    if (path.extname(req.path) !== '') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

/**
 * Lets browsers keep hashed build assets for a year; the HTML and the
 * service worker must be revalidated so that a new release reaches users.
 */
function setCacheHeaders(res: Response, file: string): void {
  if (file.includes(`${path.sep}assets${path.sep}`)) {
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  } else {
    res.setHeader('Cache-Control', 'no-cache');
  }
}
