import { describe, expect, it } from 'vitest';
import { parseSessionKey } from './parse-session-key.js';

describe('parseSessionKey', () => {
  it.each([
    [
      'agent:main:openai-user:alice',
      {
        key: 'agent:main:openai-user:alice',
        kind: 'user',
        agentId: 'main',
        namespace: 'openai-user',
        rest: 'alice',
        reserved: false,
      },
    ],
    [
      'agent:ops:openai:00000000-0000-4000-8000-000000000000',
      {
        key: 'agent:ops:openai:00000000-0000-4000-8000-000000000000',
        kind: 'ephemeral',
        agentId: 'ops',
        namespace: 'openai',
        rest: '00000000-0000-4000-8000-000000000000',
        reserved: false,
      },
    ],
    [
      'agent:main:openai-user:a:b:c',
      {
        key: 'agent:main:openai-user:a:b:c',
        kind: 'user',
        agentId: 'main',
        namespace: 'openai-user',
        rest: 'a:b:c',
        reserved: false,
      },
    ],
    [
      'agent:main:openresponses-user:bob',
      {
        key: 'agent:main:openresponses-user:bob',
        kind: 'user',
        agentId: 'main',
        namespace: 'openresponses-user',
        rest: 'bob',
        reserved: false,
      },
    ],
    [
      'agent:main:openresponses:1',
      {
        key: 'agent:main:openresponses:1',
        kind: 'ephemeral',
        agentId: 'main',
        namespace: 'openresponses',
        rest: '1',
        reserved: false,
      },
    ],
    [
      'agent:main:telegram:123',
      {
        key: 'agent:main:telegram:123',
        kind: 'explicit',
        agentId: 'main',
        namespace: 'telegram',
        rest: '123',
        reserved: false,
      },
    ],
    [
      'agent:main:openai',
      { key: 'agent:main:openai', kind: 'explicit', agentId: 'main', namespace: 'openai', rest: '', reserved: false },
    ],
    ['agent:main', { key: 'agent:main', kind: 'explicit', agentId: 'main', namespace: '', rest: '', reserved: false }],
    ['agent:Main:x', { key: 'agent:Main:x', kind: 'explicit', namespace: 'agent', rest: 'Main:x', reserved: false }],
    ['agent::x', { key: 'agent::x', kind: 'explicit', namespace: 'agent', rest: ':x', reserved: false }],
    ['cron:nightly', { key: 'cron:nightly', kind: 'explicit', namespace: 'cron', rest: 'nightly', reserved: true }],
    ['ACP:x', { key: 'ACP:x', kind: 'explicit', namespace: 'ACP', rest: 'x', reserved: true }],
    ['my-session', { key: 'my-session', kind: 'explicit', namespace: '', rest: 'my-session', reserved: false }],
    ['  team:42  ', { key: 'team:42', kind: 'explicit', namespace: 'team', rest: '42', reserved: false }],
  ])('parses %j', (key, expected) => {
    expect(parseSessionKey(key)).toEqual(expected);
  });

  it.each([[''], ['   '], ['\n']])('returns undefined for the blank key %j', (key) => {
    expect(parseSessionKey(key)).toBeUndefined();
  });
});
