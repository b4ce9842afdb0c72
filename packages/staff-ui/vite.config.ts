import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precacheManifestPlugin } from './build/precache-plugin.js';

const stub = fileURLToPath(
  new URL('./src/engine/dev-mode-stub.ts', import.meta.url),
);

// The relay serves the built app at /staff/ and the API on the same origin.
// `vite preview` proxies to a relay started with PUBLIC_URL set to the
// preview origin, so that cookies and Origin checks behave as in production.
const relay = process.env['PORTICO_RELAY_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/staff/',
  resolve: {
    // RxDB dev-mode loads an external page in browsers. The engine imports
    // it only when `devMode` is set, and the app never sets it. The alias
    // keeps the plugin and its validator out of the built files entirely.
    alias: {
      'rxdb/plugins/dev-mode': stub,
      'rxdb/plugins/validate-ajv': stub,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The app is one chunk of about 660 kB (Lit, RxDB, Yjs). The service
    // worker caches it whole, so splitting it would not speed up a start.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        sw: fileURLToPath(
          new URL('./src/offline/service-worker.ts', import.meta.url),
        ),
      },
      output: {
        // The worker keeps a fixed name because its URL is its identity:
        // a hashed name would register a new worker on every release.
        entryFileNames: (chunk) =>
          chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js',
      },
    },
  },
  plugins: [
    precacheManifestPlugin({ workerFileName: 'sw.js', pages: ['index.html'] }),
  ],
  preview: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: relay },
      '/sync': { target: relay.replace(/^http/, 'ws'), ws: true },
    },
  },
});
