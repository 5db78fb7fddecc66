import { describe, expect, it } from 'vitest';
import { createBoundedLruCache } from './bounded-lru-cache.js';

const keys = (cache: { peek(key: string): unknown }, candidates: string[]) =>
  candidates.filter((key) => cache.peek(key) !== undefined);

describe('createBoundedLruCache', () => {
  it('evicts the least recently used entry past maxEntries; get refreshes recency, peek does not', () => {
    const cache = createBoundedLruCache<number>({ maxEntries: 2, maxWeight: 100 });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3, 1);
    expect(keys(cache, ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(cache.peek('a')).toBe(1);
    cache.set('d', 4, 1);
    // `a` was only peeked since `c` was stored, so it is now the least recently used.
    expect(keys(cache, ['a', 'c', 'd'])).toEqual(['c', 'd']);
    expect([cache.size, cache.weight]).toEqual([2, 2]);
  });

  it('evicts by total weight, refuses a value heavier than the budget, and follows weight changes', () => {
    const cache = createBoundedLruCache<string>({ maxEntries: 10, maxWeight: 10 });
    cache.set('a', 'a', 4);
    cache.set('b', 'b', 4);
    cache.set('c', 'c', 4);
    expect(keys(cache, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(cache.set('huge', 'huge', 11)).toBe(false);
    expect(cache.peek('huge')).toBeUndefined();
    expect(cache.weight).toBe(8);
    // `b` grows in place: the other entry goes first.
    cache.setWeight('b', 9);
    expect(keys(cache, ['b', 'c'])).toEqual(['b']);
    // Alone and too heavy: it goes too.
    cache.setWeight('b', 11);
    expect([cache.size, cache.weight]).toEqual([0, 0]);
  });

  it('replaces a key in place, deletes, and ignores weight changes of unknown keys', () => {
    const cache = createBoundedLruCache<number>({ maxEntries: 3, maxWeight: 10 });
    cache.set('a', 1, 5);
    cache.set('a', 2, 3);
    expect([cache.peek('a'), cache.size, cache.weight]).toEqual([2, 1, 3]);
    cache.setWeight('missing', 100);
    expect(cache.weight).toBe(3);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect([cache.size, cache.weight]).toEqual([0, 0]);
  });

  it('reports every value that leaves, whatever the reason', () => {
    const removed: string[] = [];
    const cache = createBoundedLruCache<number>({
      maxEntries: 2,
      maxWeight: 10,
      onRemove: (key, value) => removed.push(`${key}=${value}`),
    });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.set('c', 3, 1);
    cache.set('b', 4, 1);
    cache.delete('c');
    cache.set('d', 5, 1);
    cache.setWeight('d', 11);
    cache.set('e', 6, 1);
    cache.clear();
    expect(removed).toEqual(['a=1', 'b=2', 'c=3', 'b=4', 'd=5', 'e=6']);
    expect(cache.size).toBe(0);
  });

  it('rejects bounds that are not integers', () => {
    expect(() => createBoundedLruCache({ maxEntries: 0, maxWeight: 1 })).toThrow(
      '`maxEntries` must be a positive integer',
    );
    expect(() => createBoundedLruCache({ maxEntries: 1, maxWeight: Number.NaN })).toThrow(
      '`maxWeight` must be a non-negative integer',
    );
  });
});
