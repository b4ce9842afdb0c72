/**
 * One engine per replica per browser. The engine opens its IndexedDB
 * database without RxDB's multi-instance support, so a second tab on the
 * same replica would not see the first tab's writes and could overwrite
 * them. A Web Lock named after the replica keeps a second tab out.
 */

/** Releases the lock; the next tab that starts can then open the replica. */
export type ReleaseLock = () => void;

/**
 * Takes the lock named `name` when no other tab holds it. Returns its
 * release function, or undefined when another tab holds it. Browsers
 * without the Web Locks API get no protection and a no-op release.
 */
export function acquireTabLock(name: string): Promise<ReleaseLock | undefined> {
  if (!('locks' in navigator)) return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return undefined;
        }
        // The lock is held until this promise settles.
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}
