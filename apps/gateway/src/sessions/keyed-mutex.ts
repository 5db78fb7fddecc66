/**
 * A mutex per string key. Tasks on one key run one after another in call order; other keys are not
 * blocked. A key's entry is deleted as soon as its queue drains, so idle sessions cost no memory.
 */
export interface KeyedMutex {
  /** Runs `task` once every earlier task on `key` has settled; resolves/rejects with `task`'s result. */
  runExclusive<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Number of keys with queued or running tasks (for tests and metrics). */
  readonly size: number;
  /** Resolves once every queued task has settled. */
  drain(): Promise<void>;
}

/**
 * Creates an empty {@link KeyedMutex}.
 *
 * @example
 * const mutex = createKeyedMutex();
 * await mutex.runExclusive('agent:main:openai-user:alice', async () => { ... });
 */
export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(() => task());
      // The tail never rejects, so one failed task does not poison the queue behind it.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
    async drain() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}
