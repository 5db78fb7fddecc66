import { describe, expect, it } from 'vitest';
import { RESERVED_SESSION_KEY_PREFIXES, isReservedSessionKey } from './reserved-session-namespaces.js';

describe('isReservedSessionKey', () => {
  it('lists the three reserved prefixes of docs/http-contract.md#4-agent-selection-session-keys-and-headers', () => {
    expect(RESERVED_SESSION_KEY_PREFIXES).toEqual(['subagent:', 'cron:', 'acp:']);
    expect(Object.isFrozen(RESERVED_SESSION_KEY_PREFIXES)).toBe(true);
  });

  it.each([['subagent:x'], ['cron:nightly'], ['acp:'], ['CRON:nightly'], ['SubAgent:1'], ['Acp:x'], ['  cron:x']])(
    'reserves %j',
    (key) => {
      expect(isReservedSessionKey(key)).toBe(true);
    },
  );

  it.each([['agent:main:cron:x'], ['cron'], ['crons:x'], ['my-cron:x'], ['acp'], ['sub agent:x'], [''], ['x:cron:']])(
    'does not reserve %j',
    (key) => {
      expect(isReservedSessionKey(key)).toBe(false);
    },
  );
});
