/**
 * Which connections watch which sessions (docs/ws-protocol.md#events-of-a-run): a connection that
 * reads a session (`chat.history`) or runs a turn on it receives the `agent` and `chat` events of
 * every run on that session, whichever connection started it, as a second browser tab does.
 */

/** What an event can be sent to: one open connection. */
export interface EventReceiver {
  /** Sends an event whose payload is already JSON; the receiver adds its own `seq`. */
  sendEvent(event: string, payloadJson: string): void;
}

/** Most sessions one connection watches at once; the oldest is dropped for a new one. */
const MAX_WATCHED_PER_CONNECTION = 64;

export interface SessionWatchers {
  watch(sessionKey: string, receiver: EventReceiver): void;
  /** The receivers watching `sessionKey` (a live set: do not keep it). */
  of(sessionKey: string): ReadonlySet<EventReceiver> | undefined;
  /** Forgets a closed connection. */
  forget(receiver: EventReceiver): void;
}

export function createSessionWatchers(): SessionWatchers {
  const bySession = new Map<string, Set<EventReceiver>>();
  const byReceiver = new Map<EventReceiver, Set<string>>();

  function unwatch(sessionKey: string, receiver: EventReceiver): void {
    const receivers = bySession.get(sessionKey);
    receivers?.delete(receiver);
    if (receivers?.size === 0) bySession.delete(sessionKey);
  }

  return {
    watch(sessionKey, receiver) {
      let sessions = byReceiver.get(receiver);
      if (sessions === undefined) {
        sessions = new Set();
        byReceiver.set(receiver, sessions);
      }
      if (sessions.has(sessionKey)) return;
      if (sessions.size >= MAX_WATCHED_PER_CONNECTION) {
        const oldest = sessions.values().next().value as string;
        sessions.delete(oldest);
        unwatch(oldest, receiver);
      }
      sessions.add(sessionKey);
      let receivers = bySession.get(sessionKey);
      if (receivers === undefined) {
        receivers = new Set();
        bySession.set(sessionKey, receivers);
      }
      receivers.add(receiver);
    },
    of: (sessionKey) => bySession.get(sessionKey),
    forget(receiver) {
      for (const sessionKey of byReceiver.get(receiver) ?? []) unwatch(sessionKey, receiver);
      byReceiver.delete(receiver);
    },
  };
}
