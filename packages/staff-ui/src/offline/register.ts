/**
 * Registers the service worker of the built app, in production builds
 * only. The development server serves modules that change on every edit,
 * so caching them would only show stale code.
 */
export async function registerServiceWorker(): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  try {
    await navigator.serviceWorker.register(`${base}sw.js`, {
      scope: base,
      type: 'module',
    });
  } catch (error) {
    // Without the worker the app still runs online; only offline reloads
    // are lost, so the failure is logged and not shown as an error.
    console.warn(
      'Registering the service worker failed; reloading without a network ' +
        'will not work in this browser.',
      error,
    );
  }
}
