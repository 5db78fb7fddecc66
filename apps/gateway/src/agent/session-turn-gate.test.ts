/**
 * The session turn gate (docs/http-contract.md#busy-sessions) on the in-process keyed mutex: order,
 * the line's length and time limits, aborted waits, and that idle sessions leave nothing behind.
 * The wait limit runs on an injected timer, so no test depends on how fast the machine is.
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { createKeyedMutex } from '../sessions/keyed-mutex.js';
import {
  createSessionTurnGate,
  sessionQueueFull,
  sessionQueueTimedOut,
  type SessionTurnGateOptions,
  type StartTimer,
} from './session-turn-gate.js';

/** Timers the test fires by hand; `pending` holds the delays of the ones not yet fired or cancelled. */
function manualTimers() {
  const timers = new Set<{ onTimeout: () => void; delayMs: number }>();
  const startTimer: StartTimer = (onTimeout, delayMs) => {
    const timer = { onTimeout, delayMs };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  return {
    startTimer,
    pending: () => [...timers].map((timer) => timer.delayMs),
    fireAll() {
      for (const timer of [...timers]) {
        timers.delete(timer);
        timer.onTimeout();
      }
    },
  };
}

function gateWith(options: Partial<SessionTurnGateOptions> = {}) {
  const mutex = createKeyedMutex();
  const timers = manualTimers();
  const gate = createSessionTurnGate({
    store: mutex,
    maxQueuedTurns: 2,
    queueTimeoutMs: 60_000,
    startTimer: timers.startTimer,
    ...options,
  });
  return { gate, mutex, timers };
}

const live = () => new AbortController().signal;

/** Settles `promise` into a value the test can look at without an unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Lets queued promise callbacks run (the mutex hands the slot on through a few of them). */
const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The wire body and headers a refusal becomes. */
function wireOf(error: unknown) {
  expect(GatewayError.isInstance(error)).toBe(true);
  const gatewayError = error as GatewayError;
  return {
    status: gatewayError.status,
    retryAfterSeconds: gatewayError.retryAfterSeconds,
    body: gatewayError.toJSON(),
  };
}

describe('createSessionTurnGate', () => {
  it('lets the turns of one session in one at a time, in arrival order', async () => {
    const { gate } = gateWith({ maxQueuedTurns: 5 });
    const entered: number[] = [];
    let inside = 0;
    const turns = [0, 1, 2, 3].map(async (index) => {
      const release = await gate.acquire('s', live());
      inside += 1;
      expect(inside).toBe(1);
      entered.push(index);
      await flushMicrotasks();
      inside -= 1;
      release();
    });
    await Promise.all(turns);
    expect(entered).toEqual([0, 1, 2, 3]);
  });

  it('refuses the turn after maxQueuedTurns waiters at once, with 429 session_busy and Retry-After 1', async () => {
    const { gate } = gateWith({ maxQueuedTurns: 2 });
    const running = await gate.acquire('s', live());
    const waiters = [settled(gate.acquire('s', live())), settled(gate.acquire('s', live()))];
    // Refused while the running turn still holds the session: nothing had to end for the answer.
    const refused = await settled(gate.acquire('s', live()));
    expect(refused.ok).toBe(false);
    expect(wireOf(!refused.ok && refused.error)).toEqual({
      status: 429,
      retryAfterSeconds: 1,
      body: {
        error: {
          message: 'This session is busy: 2 turns are already waiting for it. Retry later.',
          type: 'rate_limit_error',
          code: 'session_busy',
        },
      },
    });
    expect(gate.turnsOf('s')).toBe(3);
    running();
    for (const waiter of waiters) {
      const result = await waiter;
      expect(result.ok).toBe(true);
      if (result.ok) result.value();
    }
    expect(gate.turnsOf('s')).toBe(0);
  });

  it('with maxQueuedTurns 0 runs one turn at a time and refuses the next at once', async () => {
    const { gate } = gateWith({ maxQueuedTurns: 0 });
    // Two arrivals in the same tick: the first is in (it has not reached the mutex yet), the second refused.
    const first = gate.acquire('s', live());
    const second = await settled(gate.acquire('s', live()));
    expect(!second.ok && (second.error as GatewayError).message).toBe(
      'This session is busy: another turn is already running on it. Retry later.',
    );
    (await first)();
    const later = await gate.acquire('s', live());
    later();
  });

  it('names one waiting turn in the singular', () => {
    expect(sessionQueueFull(1).message).toBe('This session is busy: 1 turn is already waiting for it. Retry later.');
  });

  it('refuses a waiter after queueTimeoutMs, and the turns behind it still get the session', async () => {
    const { gate, timers } = gateWith({ maxQueuedTurns: 2, queueTimeoutMs: 1_500 });
    const running = await gate.acquire('s', live());
    // The running turn got its slot at once: it has no timer. Each waiter has one.
    expect(timers.pending()).toEqual([]);
    const first = settled(gate.acquire('s', live()));
    expect(timers.pending()).toEqual([1_500]);
    timers.fireAll();
    const timedOut = await first;
    expect(wireOf(!timedOut.ok && timedOut.error)).toEqual({
      status: 429,
      retryAfterSeconds: 1,
      body: {
        error: {
          message: 'This session stayed busy for 1.5 s. Retry later.',
          type: 'rate_limit_error',
          code: 'session_busy',
        },
      },
    });
    expect(gate.turnsOf('s')).toBe(1);
    const next = gate.acquire('s', live());
    running();
    // The timed-out waiter's slot in the mutex passes straight on.
    const release = await next;
    // Its timer was cancelled when it got the session: nothing is left to fire.
    expect(timers.pending()).toEqual([]);
    release();
    expect(gate.turnsOf('s')).toBe(0);
  });

  it('refuses a waiter on the real timer once queueTimeoutMs has passed', async () => {
    const { gate } = gateWith({ startTimer: undefined, queueTimeoutMs: 30 });
    const running = await gate.acquire('s', live());
    const waiting = await settled(gate.acquire('s', live()));
    expect(!waiting.ok && (waiting.error as GatewayError).message).toBe(
      'This session stayed busy for 0.03 s. Retry later.',
    );
    running();
    expect(gate.activeSessions).toBe(0);
  });

  it('gives an aborted waiter’s place up at once, and does not hold up the turns behind it', async () => {
    const { gate, timers } = gateWith({ maxQueuedTurns: 1 });
    const running = await gate.acquire('s', live());
    const leaving = new AbortController();
    const aborted = settled(gate.acquire('s', leaving.signal));
    expect((await settled(gate.acquire('s', live()))).ok).toBe(false);
    const reason = new Error('client left');
    leaving.abort(reason);
    expect(await aborted).toEqual({ ok: false, error: reason });
    expect(timers.pending()).toEqual([]);
    // Its place is free again.
    const next = gate.acquire('s', live());
    running();
    (await next)();
    expect(gate.turnsOf('s')).toBe(0);
  });

  it('refuses an already aborted signal without taking a place', async () => {
    const { gate } = gateWith();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(gate.acquire('s', controller.signal)).rejects.toThrow('gone');
    expect(gate.activeSessions).toBe(0);
  });

  it('keeps sessions apart: a full line on one does not refuse another', async () => {
    const { gate } = gateWith({ maxQueuedTurns: 0 });
    const a = await gate.acquire('a', live());
    const b = await gate.acquire('b', live());
    expect(gate.activeSessions).toBe(2);
    a();
    b();
  });

  it('passes on the store’s refusal instead of waiting for ever, and frees the place', async () => {
    const failure = new Error('store down');
    const gate = createSessionTurnGate({
      store: { runExclusive: () => Promise.reject(failure) },
      maxQueuedTurns: 1,
      queueTimeoutMs: 60_000,
    });
    await expect(gate.acquire('s', live())).rejects.toBe(failure);
    expect(gate.activeSessions).toBe(0);
  });

  it('forgets every session once its turns are done, refused or aborted (no memory for idle sessions)', async () => {
    const { gate, mutex, timers } = gateWith({ maxQueuedTurns: 3 });
    const outcomes: Array<Promise<unknown>> = [];
    for (const key of ['a', 'b', 'c']) {
      const running = await gate.acquire(key, live());
      const leaving = new AbortController();
      const waiters = [0, 1].map(() => settled(gate.acquire(key, live())));
      const aborted = settled(gate.acquire(key, leaving.signal));
      expect(gate.turnsOf(key)).toBe(4);
      leaving.abort(new Error('left'));
      outcomes.push(aborted);
      timers.fireAll();
      for (const waiter of waiters) outcomes.push(waiter);
      running();
    }
    await Promise.all(outcomes);
    expect(gate.activeSessions).toBe(0);
    expect(timers.pending()).toEqual([]);
    await mutex.drain();
    expect(mutex.size).toBe(0);
  });

  it('words the timeout in seconds', () => {
    expect(sessionQueueTimedOut(60_000).message).toBe('This session stayed busy for 60 s. Retry later.');
  });

  it('hands only the head of a line to the store, so turns that give up leave nothing queued there', async () => {
    const mutex = createKeyedMutex();
    let storeCalls = 0;
    const store = {
      runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
        storeCalls += 1;
        return mutex.runExclusive(key, task);
      },
    };
    const gate = createSessionTurnGate({ store, maxQueuedTurns: 1, queueTimeoutMs: 60_000 });
    const release = await gate.acquire('s', live());
    // A client that sends a turn and leaves, ten thousand times, while the first turn runs.
    for (let index = 0; index < 10_000; index += 1) {
      const leaving = new AbortController();
      const waiting = settled(gate.acquire('s', leaving.signal));
      leaving.abort(new Error('client left'));
      expect(await waiting).toMatchObject({ ok: false });
    }
    expect([storeCalls, gate.turnsOf('s'), mutex.size]).toEqual([1, 1, 1]);
    release();
    await mutex.drain();
    expect([gate.activeSessions, mutex.size]).toEqual([0, 0]);
    // The session still serves the next turn.
    (await gate.acquire('s', live()))();
  });
});
