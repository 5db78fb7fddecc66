/**
 * Session watchers (docs/ws-protocol.md#events-of-a-run): which connections receive the events
 * of runs on a session; at most 64 sessions per connection, the oldest dropped for a new one.
 */
import { describe, expect, it } from 'vitest';
import { createSessionWatchers, type EventReceiver } from './session-watchers.js';

function receiver(): EventReceiver {
  return { sendEvent: () => undefined };
}

describe('createSessionWatchers', () => {
  it('has no watchers for a session nobody watches, including prototype names', () => {
    const watchers = createSessionWatchers();
    for (const key of ['s', '__proto__', 'constructor', 'toString']) expect(watchers.of(key)).toBeUndefined();
  });

  it('lists every receiver watching a session, once each', () => {
    const watchers = createSessionWatchers();
    const one = receiver();
    const two = receiver();
    watchers.watch('s1', one);
    watchers.watch('s1', two);
    watchers.watch('s1', one);
    watchers.watch('s2', two);
    expect([...(watchers.of('s1') ?? [])]).toEqual([one, two]);
    expect([...(watchers.of('s2') ?? [])]).toEqual([two]);
  });

  it('forgets a receiver everywhere, dropping sessions left without watchers', () => {
    const watchers = createSessionWatchers();
    const one = receiver();
    const two = receiver();
    watchers.watch('s1', one);
    watchers.watch('s2', one);
    watchers.watch('s2', two);
    watchers.forget(one);
    expect(watchers.of('s1')).toBeUndefined();
    expect([...(watchers.of('s2') ?? [])]).toEqual([two]);
    watchers.forget(two);
    expect(watchers.of('s2')).toBeUndefined();
    // Forgetting twice, or a receiver never seen, is harmless.
    watchers.forget(two);
    watchers.forget(receiver());
  });

  it('lets a forgotten receiver watch again', () => {
    const watchers = createSessionWatchers();
    const one = receiver();
    watchers.watch('s1', one);
    watchers.forget(one);
    watchers.watch('s1', one);
    expect([...(watchers.of('s1') ?? [])]).toEqual([one]);
  });

  it('keeps at most 64 sessions per receiver, dropping the oldest for a new one', () => {
    const watchers = createSessionWatchers();
    const one = receiver();
    const other = receiver();
    for (let i = 0; i < 64; i += 1) watchers.watch(`s${i}`, one);
    watchers.watch('s0', other);
    for (let i = 0; i < 64; i += 1) expect(watchers.of(`s${i}`)?.has(one)).toBe(true);

    watchers.watch('s64', one);
    expect(watchers.of('s0')?.has(one)).toBe(false);
    // The other receiver still watches s0; s1 (now the oldest) is dropped next.
    expect([...(watchers.of('s0') ?? [])]).toEqual([other]);
    expect(watchers.of('s1')?.has(one)).toBe(true);
    expect(watchers.of('s64')?.has(one)).toBe(true);

    watchers.watch('s65', one);
    expect(watchers.of('s1')).toBeUndefined();
    const watched = Array.from({ length: 70 }, (_, i) => `s${i}`).filter((key) => watchers.of(key)?.has(one));
    expect(watched).toEqual(Array.from({ length: 64 }, (_, i) => `s${i + 2}`));
  });

  it('does not count watching the same session again as new (the cap is per distinct session)', () => {
    const watchers = createSessionWatchers();
    const one = receiver();
    for (let i = 0; i < 64; i += 1) watchers.watch(`s${i}`, one);
    for (let i = 0; i < 10; i += 1) watchers.watch('s0', one);
    for (let i = 0; i < 64; i += 1) expect(watchers.of(`s${i}`)?.has(one)).toBe(true);
  });

  it('counts the cap per receiver', () => {
    const watchers = createSessionWatchers();
    const receivers = Array.from({ length: 3 }, receiver);
    for (const each of receivers) for (let i = 0; i < 64; i += 1) watchers.watch(`s${i}`, each);
    expect(watchers.of('s0')?.size).toBe(3);
    expect(watchers.of('s63')?.size).toBe(3);
  });
});
