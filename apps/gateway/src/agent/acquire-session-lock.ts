import type { SessionStore } from '../sessions/session-store.js';

/**
 * Takes a session's `runExclusive` slot and hands back its release, so a run holds the slot from its
 * own `try` to its `finally`, and a wait that the signal ends gives its place up (a queued
 * `runExclusive` task cannot be cancelled). Resolves with a `release` function once the slot is
 * ours; rejects with the signal's reason if the signal aborts first (the queued slot is then
 * released as soon as it is reached, so later runs are not blocked).
 *
 * @param store - The session store.
 * @param sessionKey - The key to serialise on.
 * @param signal - Abort while waiting.
 */
export function acquireSessionLock(store: SessionStore, sessionKey: string, signal: AbortSignal): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      release();
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    void store
      .runExclusive(sessionKey, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(release);
        return released;
      })
      .catch(() => undefined);
  });
}
