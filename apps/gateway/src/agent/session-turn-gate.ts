/**
 * Where a turn waits for its session (docs/http-contract.md#busy-sessions). Turns of one session run
 * one at a time through the store's `runExclusive`; the gate bounds the line behind the running turn
 * in length (`maxQueuedTurns`) and in time (`queueTimeoutMs`) and refuses the rest with 429
 * `session_busy`, so a hot session cannot pile up requests, sockets and memory without end.
 *
 * The counts are per process: with the Redis store every replica bounds its own waiters, and the
 * turn at the head of a replica's line may still wait for another replica's lock (bounded by the
 * store's own lock wait, 503 `session is busy`).
 */
import { GatewayError } from '../errors.js';
import type { SessionStore } from '../sessions/session-store.js';

/** The `code` of both refusals. */
export const SESSION_BUSY_CODE = 'session_busy';

/** Starts a one-shot timer and returns its cancel. */
export type StartTimer = (onTimeout: () => void, delayMs: number) => () => void;

/** Options of {@link createSessionTurnGate}. */
export interface SessionTurnGateOptions {
  /** Serialises the turns of one session. */
  store: Pick<SessionStore, 'runExclusive'>;
  /** How many turns may wait behind the running one; one more is refused at once (0: none may wait). */
  maxQueuedTurns: number;
  /** A turn that has waited this long is refused (ms). */
  queueTimeoutMs: number;
  /** The wait limit's timer (tests inject a manual one). @defaultValue `setTimeout` */
  startTimer?: StartTimer;
}

/** Lets one turn at a time into each session, within the line limits. */
export interface SessionTurnGate {
  /**
   * Resolves with the slot's release once every earlier turn of `sessionKey` is done; the caller
   * must call it when its turn ends. Rejects with a 429 `session_busy` when the line is full or the
   * wait outlasts `queueTimeoutMs`, with the signal's reason when it aborts first, or with the
   * store's error when it cannot serialise (a Redis store that is down). A refused or aborted wait
   * gives its place up: the turns behind it are not held up by it.
   */
  acquire(sessionKey: string, signal: AbortSignal): Promise<() => void>;
  /** Turns of `sessionKey` running or waiting in this process (0 for an idle session). */
  turnsOf(sessionKey: string): number;
  /** Sessions with a turn running or waiting; idle ones are forgotten, so this is 0 when all are. */
  readonly activeSessions: number;
}

/**
 * The refusal of a turn that finds the line full.
 *
 * @param waitingTurns - How many turns wait already (the `maxQueuedTurns` limit).
 */
export function sessionQueueFull(waitingTurns: number): GatewayError {
  const reason =
    waitingTurns === 0
      ? 'another turn is already running on it'
      : `${waitingTurns} ${waitingTurns === 1 ? 'turn is' : 'turns are'} already waiting for it`;
  return sessionBusyError(`This session is busy: ${reason}. Retry later.`);
}

/**
 * The refusal of a turn that waited `queueTimeoutMs` without getting the session.
 *
 * @param queueTimeoutMs - The wait limit, shown in seconds.
 */
export function sessionQueueTimedOut(queueTimeoutMs: number): GatewayError {
  return sessionBusyError(`This session stayed busy for ${queueTimeoutMs / 1000} s. Retry later.`);
}

// OpenAI's 429 type, as for an upstream's 429: the official SDKs retry on the status and honour Retry-After.
function sessionBusyError(message: string): GatewayError {
  return new GatewayError(message, {
    status: 429,
    type: 'rate_limit_error',
    code: SESSION_BUSY_CODE,
    retryAfterSeconds: 1,
  });
}

/** One turn waiting for its session: `admit` gives it the slot, `fail` refuses it with the store's error. */
interface Waiter {
  /** Hands over the slot; `false` when the turn gave up meanwhile (the slot is then not taken). */
  admit(freeSlot: () => void): boolean;
  fail(reason: unknown): void;
}

const startTimeout: StartTimer = (onTimeout, delayMs) => {
  const timer = setTimeout(onTimeout, delayMs);
  return () => clearTimeout(timer);
};

/**
 * Creates the gate the agent runner takes before it reads a session's transcript.
 *
 * @example
 * const gate = createSessionTurnGate({ store, maxQueuedTurns: 32, queueTimeoutMs: 60_000 });
 * const release = await gate.acquire(sessionKey, signal);
 * try { ... } finally { release(); }
 */
export function createSessionTurnGate(options: SessionTurnGateOptions): SessionTurnGate {
  const { store, maxQueuedTurns, queueTimeoutMs } = options;
  const startTimer = options.startTimer ?? startTimeout;
  // Per session: the running turn (or the one about to run) plus those waiting behind it.
  const turnsBySession = new Map<string, number>();
  // Per session: the turns waiting in this process, in arrival order, and whether one is in the
  // store's `runExclusive` now. Only the head of a line is ever handed to the store, so a turn that
  // gives up while waiting leaves nothing queued there (no dead task, no Redis lock taken for it).
  const lines = new Map<string, { waiting: Waiter[]; inStore: boolean }>();

  const leave = (sessionKey: string) => {
    const left = (turnsBySession.get(sessionKey) ?? 1) - 1;
    if (left > 0) turnsBySession.set(sessionKey, left);
    else turnsBySession.delete(sessionKey);
  };

  /** Hands the next waiting turn of `sessionKey` to the store once the previous one is out of it. */
  function pump(sessionKey: string): void {
    const line = lines.get(sessionKey);
    if (line === undefined || line.inStore) return;
    const next = line.waiting.shift();
    if (next === undefined) {
      lines.delete(sessionKey);
      return;
    }
    line.inStore = true;
    let freeSlot!: () => void;
    const slotFreed = new Promise<void>((resolve) => {
      freeSlot = resolve;
    });
    store
      .runExclusive(sessionKey, () => {
        // Gave up while the store was still taking its lock (a Redis lock held by another replica).
        if (!next.admit(freeSlot)) return Promise.resolve();
        return slotFreed;
      })
      .catch((error: unknown) => next.fail(error))
      .finally(() => {
        line.inStore = false;
        pump(sessionKey);
      });
  }

  function acquire(sessionKey: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const ahead = turnsBySession.get(sessionKey) ?? 0;
    // `ahead` turns are in: one runs and `ahead - 1` wait, so this one would be waiter number `ahead`.
    if (ahead > maxQueuedTurns) return Promise.reject(sessionQueueFull(maxQueuedTurns));
    turnsBySession.set(sessionKey, ahead + 1);

    return new Promise((resolve, reject) => {
      let settled = false;
      let stopTimer: (() => void) | undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        stopTimer?.();
        return true;
      };
      const waiter: Waiter = {
        admit(freeSlot) {
          if (!settle()) return false;
          let counted = true;
          resolve(() => {
            if (!counted) return;
            counted = false;
            leave(sessionKey);
            freeSlot();
          });
          return true;
        },
        fail(reason) {
          if (!settle()) return;
          leave(sessionKey);
          reject(reason);
        },
      };
      // A turn that gives up leaves its line at once: the turns behind it move up.
      const giveUp = (reason: unknown) => {
        if (!settle()) return;
        const line = lines.get(sessionKey);
        const place = line?.waiting.indexOf(waiter) ?? -1;
        if (line !== undefined && place >= 0) line.waiting.splice(place, 1);
        leave(sessionKey);
        reject(reason);
        pump(sessionKey);
      };
      const onAbort = () => giveUp(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      // Only a turn with someone ahead waits; the first in line gets no timer.
      if (ahead > 0) stopTimer = startTimer(() => giveUp(sessionQueueTimedOut(queueTimeoutMs)), queueTimeoutMs);
      let line = lines.get(sessionKey);
      if (line === undefined) {
        line = { waiting: [], inStore: false };
        lines.set(sessionKey, line);
      }
      line.waiting.push(waiter);
      pump(sessionKey);
    });
  }

  return {
    acquire,
    turnsOf: (sessionKey) => turnsBySession.get(sessionKey) ?? 0,
    get activeSessions() {
      return turnsBySession.size;
    },
  };
}
