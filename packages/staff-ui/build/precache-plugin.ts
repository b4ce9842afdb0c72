/**
 * A Vite plugin that hands the service worker the list of files to cache
 * for offline use. The list is known only once the bundle is written, so
 * it is prepended to the worker chunk as a global the worker reads at
 * install time. The list also versions the cache: a release with changed
 * files gets a new cache and a changed worker file, which the browser
 * installs in place of the old one.
 */
import type { Plugin } from 'vite';

export interface PrecacheOptions {
  /** Output file name of the service worker chunk. */
  workerFileName: string;
  /**
   * HTML pages of the app. Vite emits them after this plugin has run, so
   * they are named here instead of being read from the bundle.
   */
  pages: string[];
}

/** Name of the global that carries the manifest into the worker. */
export const MANIFEST_GLOBAL = '__PORTICO_PRECACHE__';

export interface PrecacheManifest {
  /** Changes whenever any cached file name changes. */
  version: string;
  /** File paths relative to the app's base URL. */
  files: string[];
}

export function precacheManifestPlugin(options: PrecacheOptions): Plugin {
  return {
    name: 'portico-precache-manifest',
    apply: 'build',
    generateBundle(_output, bundle) {
      const worker = bundle[options.workerFileName];
      if (worker?.type !== 'chunk') {
        this.error(
          `Service worker chunk "${options.workerFileName}" is missing ` +
            'from the bundle; check the "sw" input in vite.config.ts.',
        );
      }
      const manifest = buildManifest(
        [...Object.keys(bundle), ...options.pages],
        options.workerFileName,
      );
      worker.code = `${manifestScript(manifest)}\n${worker.code}`;
    },
  };
}

/**
 * Lists the files a reload needs with no network: the page and every
 * asset, but not the worker itself (the browser fetches it) and not
 * source maps.
 */
export function buildManifest(
  fileNames: string[],
  workerFileName: string,
): PrecacheManifest {
  const files = [...new Set(fileNames)]
    .filter((name) => name !== workerFileName && !name.endsWith('.map'))
    .sort();
  return { version: hashText(files.join('\n')), files };
}

export function manifestScript(manifest: PrecacheManifest): string {
  return `self.${MANIFEST_GLOBAL} = ${JSON.stringify(manifest)};`;
}

/** 32-bit FNV-1a as hex: enough to tell releases apart, not a checksum. */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
