import { describe, expect, it } from 'vitest';
import { suggestKey } from './suggest-key.js';

describe('suggestKey', () => {
  it.each([
    ['prot', ['bind', 'port', 'auth'], 'port'],
    ['defualts', ['defaults', 'list', 'entries'], 'defaults'],
    ['controlUI', ['controlUi'], 'controlUi'],
    ['enabeld', ['enabled', 'images', 'limits'], 'enabled'],
    ['maxConection', ['maxConnections', 'maxBodyBytes'], 'maxConnections'],
    ['trustedProxy', ['trustedProxies', 'trustedProxy'], 'trustedProxy'],
  ])('%s among %j → %s', (key, candidates, expected) => {
    expect(suggestKey(key, candidates)).toBe(expected);
  });

  it.each([
    ['colour', ['port', 'bind', 'auth']],
    ['ab', ['port']],
    ['__proto__', ['mode', 'token', 'password']],
    ['anything', []],
  ])('nothing close for %s among %j', (key, candidates) => {
    expect(suggestKey(key, candidates)).toBeUndefined();
  });

  it('prefers the earlier candidate on a tie', () => {
    expect(suggestKey('moda', ['mode', 'modo'])).toBe('mode');
    expect(suggestKey('moda', ['modo', 'mode'])).toBe('modo');
  });
});
