/**
 * The door's run registry (docs/ws-protocol.md#runs-and-idempotency): runs by id while they run,
 * remembered for `rememberMs` (at most `maxRemembered`) after they end, by session, and `idle()`.
 * The clock is injected, so nothing here sleeps.
 */
import { describe, expect, it } from 'vitest';
import { createRunRegistry, type RunRegistryOptions } from './run-registry.js';

function registryAt(start: number, options: Omit<RunRegistryOptions, 'now'> = {}) {
  const clock = { now: start };
  const runs = createRunRegistry({ ...options, now: () => clock.now });
  return { runs, clock };
}

/** Whether a promise has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  return done;
}

describe('createRunRegistry', () => {
  it('starts a run as running, with its ids, the start time and a live controller', () => {
    const { runs } = registryAt(1_000);
    const run = runs.start('run-1', 'agent:main:main', 'main');
    expect(run).toMatchObject({
      runId: 'run-1',
      sessionKey: 'agent:main:main',
      agentId: 'main',
      startedAt: 1_000,
      status: 'running',
    });
    expect(run.endedAt).toBeUndefined();
    expect(run.controller.signal.aborted).toBe(false);
    expect(runs.get('run-1')).toBe(run);
    expect(runs.runningCount).toBe(1);
  });

  it('finds nothing for an id it never saw, including prototype names', () => {
    const { runs } = registryAt(0);
    for (const id of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(runs.get(id)).toBeUndefined();
  });

  it('finishes a run: ended resolves, endedAt is stamped, and it is still found', async () => {
    const { runs, clock } = registryAt(1_000);
    const run = runs.start('run-1', 's', 'main');
    expect(await settled(run.ended)).toBe(false);
    clock.now = 1_250;
    run.status = 'ok';
    run.stopReason = 'stop';
    runs.finish(run);
    expect(await settled(run.ended)).toBe(true);
    expect(runs.runningCount).toBe(0);
    expect(runs.get('run-1')).toBe(run);
    expect(run).toMatchObject({ status: 'ok', startedAt: 1_000, endedAt: 1_250, stopReason: 'stop' });
  });

  it('keeps an endedAt set before finish', () => {
    const { runs, clock } = registryAt(1_000);
    const run = runs.start('run-1', 's', 'main');
    run.endedAt = 1_100;
    clock.now = 2_000;
    runs.finish(run);
    expect(runs.get('run-1')?.endedAt).toBe(1_100);
  });

  it('ignores a second finish and a finish of a run it does not hold', () => {
    const { runs, clock } = registryAt(1_000);
    const run = runs.start('run-1', 's', 'main');
    clock.now = 1_100;
    runs.finish(run);
    clock.now = 1_200;
    runs.finish(run);
    expect(runs.get('run-1')?.endedAt).toBe(1_100);

    const other = createRunRegistry({ now: () => 5 }).start('run-2', 's', 'main');
    runs.finish(other);
    expect(runs.get('run-2')).toBeUndefined();
  });

  it('does not end a running run when another run object with the same id is finished', async () => {
    const { runs } = registryAt(1_000);
    const live = runs.start('k', 's', 'main');
    const impostor = createRunRegistry({ now: () => 5 }).start('k', 's', 'main');
    runs.finish(impostor);
    expect(runs.get('k')).toBe(live);
    expect(runs.runningCount).toBe(1);
    expect(runs.runningIn('s')).toEqual([live]);
    expect(await settled(live.ended)).toBe(false);
  });

  it('answers the in-flight run, not the remembered one, when an id is started again', () => {
    const { runs, clock } = registryAt(1_000);
    const first = runs.start('k', 's', 'main');
    first.status = 'ok';
    runs.finish(first);
    clock.now = 2_000;
    const second = runs.start('k', 's', 'main');
    expect(runs.get('k')).toBe(second);
    expect(runs.get('k')?.status).toBe('running');
    second.status = 'error';
    runs.finish(second);
    expect(runs.get('k')).toBe(second);
  });

  it('remembers a finished run for rememberMs, then forgets it', () => {
    const { runs, clock } = registryAt(10_000, { rememberMs: 1_000 });
    const run = runs.start('run-1', 's', 'main');
    clock.now = 10_500;
    runs.finish(run);
    clock.now = 11_499;
    expect(runs.get('run-1')).toBe(run);
    clock.now = 11_500;
    expect(runs.get('run-1')).toBeUndefined();
    // Forgotten for good, even if the clock went back.
    clock.now = 10_600;
    expect(runs.get('run-1')).toBeUndefined();
  });

  it('remembers for five minutes by default', () => {
    const { runs, clock } = registryAt(0);
    runs.finish(runs.start('run-1', 's', 'main'));
    clock.now = 299_999;
    expect(runs.get('run-1')).toBeDefined();
    clock.now = 300_000;
    expect(runs.get('run-1')).toBeUndefined();
  });

  it('never forgets a running run, however old', () => {
    const { runs, clock } = registryAt(0, { rememberMs: 10 });
    const run = runs.start('long', 's', 'main');
    clock.now = 1_000_000;
    runs.finish(runs.start('other', 's', 'main'));
    expect(runs.get('long')).toBe(run);
  });

  it('remembers at most maxRemembered finished runs, forgetting the oldest ended first', () => {
    const { runs, clock } = registryAt(0, { maxRemembered: 3 });
    const started = ['a', 'b', 'c', 'd'].map((id) => runs.start(id, 's', 'main'));
    // End order b, a, c, d: `b` is the oldest ended.
    for (const index of [1, 0, 2, 3]) {
      clock.now += 1;
      runs.finish(started[index]!);
    }
    expect(runs.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => runs.get(id)?.runId)).toEqual(['a', 'c', 'd']);
    clock.now += 1;
    runs.finish(runs.start('e', 's', 'main'));
    expect(runs.get('a')).toBeUndefined();
    expect(['c', 'd', 'e'].map((id) => runs.get(id)?.runId)).toEqual(['c', 'd', 'e']);
  });

  it('counts a run id that ended again as the newest remembered', () => {
    const { runs, clock } = registryAt(0, { maxRemembered: 2 });
    runs.finish(runs.start('k', 's', 'main'));
    clock.now = 1;
    runs.finish(runs.start('x', 's', 'main'));
    clock.now = 2;
    const again = runs.start('k', 's', 'main');
    runs.finish(again);
    clock.now = 3;
    runs.finish(runs.start('y', 's', 'main'));
    // `x` ended before the second `k`: it is the one forgotten.
    expect(runs.get('x')).toBeUndefined();
    expect(runs.get('k')).toBe(again);
    expect(runs.get('y')).toBeDefined();
  });

  it('remembers at most 1,000 by default', () => {
    const { runs } = registryAt(0);
    for (let i = 0; i <= 1_000; i += 1) runs.finish(runs.start(`run-${i}`, 's', 'main'));
    expect(runs.get('run-0')).toBeUndefined();
    expect(runs.get('run-1')).toBeDefined();
    expect(runs.get('run-1000')).toBeDefined();
  });

  it('lists the running runs of one session only', () => {
    const { runs } = registryAt(0);
    const a1 = runs.start('a1', 'session-a', 'main');
    const a2 = runs.start('a2', 'session-a', 'beta');
    const b1 = runs.start('b1', 'session-b', 'main');
    expect(runs.runningIn('session-a')).toEqual([a1, a2]);
    expect(runs.runningIn('session-b')).toEqual([b1]);
    expect(runs.runningIn('session-c')).toEqual([]);
    runs.finish(a1);
    expect(runs.runningIn('session-a')).toEqual([a2]);
    expect(runs.runningCount).toBe(2);
  });

  it('is idle at once with nothing running, and when the last run ends', async () => {
    const { runs } = registryAt(0);
    expect(await settled(runs.idle())).toBe(true);
    const first = runs.start('1', 's', 'main');
    const second = runs.start('2', 's', 'main');
    const idle = runs.idle();
    const idleToo = runs.idle();
    expect(await settled(idle)).toBe(false);
    runs.finish(first);
    expect(await settled(idle)).toBe(false);
    runs.finish(second);
    expect(await settled(idle)).toBe(true);
    expect(await settled(idleToo)).toBe(true);
    // A new wait after a new start waits again.
    const third = runs.start('3', 's', 'main');
    const later = runs.idle();
    expect(await settled(later)).toBe(false);
    runs.finish(third);
    expect(await settled(later)).toBe(true);
  });
});
