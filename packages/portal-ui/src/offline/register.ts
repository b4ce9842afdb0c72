/** Registers the service worker that keeps the app shell for offline use. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
    // The portal still works online, and only an offline reload fails.
    console.warn('Registering the portal service worker failed:', error);
  });
}
