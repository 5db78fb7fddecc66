/**
 * The runs started over WebSocket, by run id (= the client's idempotency key), door-wide so any
 * connection can wait for or abort them (docs/ws-protocol.md#runs-and-idempotency). A finished run
 * is remembered for five minutes (at most 1,000), so a retried `chat.send` with the same key gets
 * `{status: "ok"}` instead of a second run, and `agent.wait` after the end still answers.
 */

/** How a run ended, in the protocol's words. */
export type RunStatus = 'running' | 'ok' | 'error' | 'timeout';

/** One run and what is known of its end. */
export interface TrackedRun {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  readonly startedAt: number;
  status: RunStatus;
  endedAt?: number;
  stopReason?: string;
  error?: string;
  /** Aborts the run; the reason says who (`chat.abort`, its timeout, shutdown). */
  readonly controller: AbortController;
  /** Resolves when the run has ended and its last events are out. */
  readonly ended: Promise<void>;
}

/** Options of {@link createRunRegistry}. */
export interface RunRegistryOptions {
  /** How long a finished run is remembered. @defaultValue 300_000 */
  rememberMs?: number;
  /** Most finished runs remembered. @defaultValue 1_000 */
  maxRemembered?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** See the file comment. */
export interface RunRegistry {
  get(runId: string): TrackedRun | undefined;
  /** Registers a new running run; the caller must later call {@link RunRegistry.finish}. */
  start(runId: string, sessionKey: string, agentId: string): TrackedRun;
  /** Records the end (status already set on the run) and moves it to the remembered ones. */
  finish(run: TrackedRun): void;
  /** The running runs of one session. */
  runningIn(sessionKey: string): TrackedRun[];
  /** How many runs are running. */
  readonly runningCount: number;
  /** Resolves when no run is running. */
  idle(): Promise<void>;
}

export function createRunRegistry(options: RunRegistryOptions = {}): RunRegistry {
  const rememberMs = options.rememberMs ?? 300_000;
  const maxRemembered = options.maxRemembered ?? 1_000;
  const now = options.now ?? Date.now;
  const running = new Map<string, TrackedRun & { resolveEnded(): void }>();
  // Insertion order is end order, so the oldest is always first.
  const remembered = new Map<string, TrackedRun>();
  let idleWaiters: Array<() => void> = [];

  function forgetOld(): void {
    const cutoff = now() - rememberMs;
    for (const [runId, run] of remembered) {
      if (remembered.size <= maxRemembered && (run.endedAt ?? 0) > cutoff) break;
      remembered.delete(runId);
    }
  }

  return {
    get(runId) {
      const live = running.get(runId);
      if (live) return live;
      forgetOld();
      return remembered.get(runId);
    },
    start(runId, sessionKey, agentId) {
      let resolveEnded: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
      const run = {
        runId,
        sessionKey,
        agentId,
        startedAt: now(),
        status: 'running' as RunStatus,
        controller: new AbortController(),
        ended,
        resolveEnded,
      };
      running.set(runId, run);
      return run;
    },
    finish(run) {
      const live = running.get(run.runId);
      if (live !== run) return;
      running.delete(run.runId);
      run.endedAt ??= now();
      remembered.delete(run.runId);
      remembered.set(run.runId, run);
      forgetOld();
      live.resolveEnded();
      if (running.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    },
    runningIn(sessionKey) {
      const found: TrackedRun[] = [];
      for (const run of running.values()) if (run.sessionKey === sessionKey) found.push(run);
      return found;
    },
    get runningCount() {
      return running.size;
    },
    idle() {
      if (running.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
