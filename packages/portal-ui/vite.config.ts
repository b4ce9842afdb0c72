import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const stub = fileURLToPath(
  new URL('./src/engine/dev-mode-stub.ts', import.meta.url),
);

// The relay serves the built portal at / with its API on the same origin.
// `vite preview` proxies the API and the sync socket to a relay, keeping
// the browser's Host header, so cookies and Origin checks behave as in
// production.
const relay = process.env['PORTICO_RELAY_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  resolve: {
    // RxDB dev-mode loads an external page in browsers. The engine imports
    // it only when `devMode` is set, and the portal never sets it. The
    // alias keeps the plugin and its validator out of the built files.
    alias: {
      'rxdb/plugins/dev-mode': stub,
      'rxdb/plugins/validate-ajv': stub,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        sw: fileURLToPath(
          new URL('./src/offline/service-worker.ts', import.meta.url),
        ),
      },
      output: {
        // The worker's URL is its identity, so it keeps a fixed name,
        // because a hashed name would register a new worker every release.
        entryFileNames: (chunk) =>
          chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js',
      },
    },
  },
  preview: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: relay },
      '/sync': { target: relay.replace(/^http/, 'ws'), ws: true },
    },
  },
});
