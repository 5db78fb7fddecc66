import { describe, expect, it } from 'vitest';
import { createKeyedMutex } from './keyed-mutex.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createKeyedMutex', () => {
  it('runs tasks on one key one at a time, in call order', async () => {
    const mutex = createKeyedMutex();
    const log: string[] = [];
    let running = 0;
    const tasks = [30, 5, 15, 1].map((ms, index) =>
      mutex.runExclusive('k', async () => {
        running += 1;
        expect(running).toBe(1);
        log.push(`start ${index}`);
        await delay(ms);
        log.push(`end ${index}`);
        running -= 1;
        return index;
      }),
    );
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('keeps going after a failed task and passes the failure to its caller', async () => {
    const mutex = createKeyedMutex();
    const failed = mutex.runExclusive('k', async () => {
      throw new Error('boom');
    });
    const next = mutex.runExclusive('k', async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });

  it('frees idle keys', async () => {
    const mutex = createKeyedMutex();
    const running = mutex.runExclusive('a', () => delay(10));
    void mutex.runExclusive('b', () => delay(1));
    expect(mutex.size).toBe(2);
    await running;
    await mutex.drain();
    expect(mutex.size).toBe(0);
  });
});
