/**
 * A least-recently-used cache bounded twice: by entry count and by total weight (a size the caller
 * assigns, e.g. bytes). Bounding by count alone would let a few huge values take any amount of
 * memory; by weight alone, millions of tiny ones.
 *
 * Recency is the `Map`'s insertion order (an entry is re-inserted when used), so the least recently
 * used entry is always the first key and every operation is O(1) apart from the evictions it causes.
 */
export interface BoundedLruCache<V> {
  /** The value of `key`, which becomes the most recently used entry. */
  get(key: string): V | undefined;
  /** The value of `key`, without changing its recency. */
  peek(key: string): V | undefined;
  /**
   * Stores `value` as the most recently used entry, then evicts the least recently used ones until
   * both bounds hold. A value heavier than the whole weight budget is not stored (any previous value
   * of `key` is dropped too).
   *
   * @returns `true` when the value is in the cache afterwards.
   */
  set(key: string, value: V, weight: number): boolean;
  /**
   * Records that `key`'s value now weighs `weight` (it grew or shrank in place), makes it the most
   * recently used entry, and evicts the least recently used ones past the budget, `key` itself
   * last: it goes only if it alone is too heavy. Unknown keys are ignored.
   */
  setWeight(key: string, weight: number): void;
  /** Drops `key`. @returns `true` when it was cached. */
  delete(key: string): boolean;
  /** Drops every entry. */
  clear(): void;
  /** Number of entries. */
  readonly size: number;
  /** Sum of the entries' weights. */
  readonly weight: number;
}

/** Options of {@link createBoundedLruCache}. */
export interface BoundedLruCacheOptions<V> {
  /** Most entries kept (≥ 1). */
  maxEntries: number;
  /** Largest total weight kept (≥ 0). */
  maxWeight: number;
  /**
   * Called with every value that leaves the cache, whatever the reason (evicted, deleted, replaced,
   * cleared), after it left: the place to release what the value holds.
   */
  onRemove?: (key: string, value: V) => void;
}

/**
 * Creates an empty {@link BoundedLruCache}.
 *
 * @throws TypeError when a bound is not a non-negative integer (or `maxEntries` is 0).
 * @example
 * const cache = createBoundedLruCache<Session>({ maxEntries: 1_000, maxWeight: 64 * 1024 * 1024 });
 * cache.set(key, session, session.bytes);
 */
export function createBoundedLruCache<V>(options: BoundedLruCacheOptions<V>): BoundedLruCache<V> {
  const { maxEntries, maxWeight, onRemove } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new TypeError('`maxEntries` must be a positive integer');
  if (!Number.isSafeInteger(maxWeight) || maxWeight < 0)
    throw new TypeError('`maxWeight` must be a non-negative integer');
  const entries = new Map<string, { value: V; weight: number }>();
  let totalWeight = 0;

  function remove(key: string): boolean {
    const entry = entries.get(key);
    if (entry === undefined) return false;
    entries.delete(key);
    totalWeight -= entry.weight;
    onRemove?.(key, entry.value);
    return true;
  }

  function evictPastBounds(): void {
    while (entries.size > maxEntries || totalWeight > maxWeight) {
      const oldest = entries.keys().next();
      if (oldest.done) return;
      remove(oldest.value);
    }
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    peek: (key) => entries.get(key)?.value,
    set(key, value, weight) {
      remove(key);
      if (weight > maxWeight) return false;
      entries.set(key, { value, weight });
      totalWeight += weight;
      evictPastBounds();
      return true;
    },
    setWeight(key, weight) {
      const entry = entries.get(key);
      if (entry === undefined) return;
      totalWeight += weight - entry.weight;
      entry.weight = weight;
      entries.delete(key);
      entries.set(key, entry);
      evictPastBounds();
    },
    delete: remove,
    clear() {
      for (const key of [...entries.keys()]) remove(key);
    },
    get size() {
      return entries.size;
    },
    get weight() {
      return totalWeight;
    },
  };
}
