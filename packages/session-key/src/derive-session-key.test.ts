import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { anyString } from './__fixtures__/arbitraries.js';
import { deriveSessionKey } from './derive-session-key.js';
import { normalizeAgentId } from './normalize-agent-id.js';
import { parseSessionKey } from './parse-session-key.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fixedUUID = () => '00000000-0000-4000-8000-000000000000';

describe('deriveSessionKey', () => {
  it('uses the trimmed header verbatim', () => {
    expect(deriveSessionKey({ agentId: 'main', sessionKeyHeader: '  My-Session:42  ', user: 'alice' })).toEqual({
      ok: true,
      sessionKey: 'My-Session:42',
      kind: 'explicit',
    });
  });

  it('keeps a header naming another agent as it is', () => {
    expect(deriveSessionKey({ agentId: 'main', sessionKeyHeader: 'agent:ops:openai-user:Bob' })).toEqual({
      ok: true,
      sessionKey: 'agent:ops:openai-user:Bob',
      kind: 'explicit',
    });
  });

  it.each([['subagent:x'], ['cron:nightly'], ['acp:abc'], ['CRON:nightly'], ['SubAgent:x'], ['  acp:x  ']])(
    'refuses the reserved header %j',
    (sessionKeyHeader) => {
      expect(deriveSessionKey({ agentId: 'main', sessionKeyHeader, user: 'alice' })).toEqual({
        ok: false,
        reason: 'reserved-namespace',
      });
    },
  );

  it('derives a key from the lowercased user', () => {
    expect(deriveSessionKey({ agentId: 'main', user: 'Alice@Example.COM' })).toEqual({
      ok: true,
      sessionKey: 'agent:main:openai-user:alice@example.com',
      kind: 'user',
    });
  });

  it('trims the user and keeps non-ASCII as lowercased', () => {
    expect(deriveSessionKey({ agentId: 'ops', user: '  ÉLODIE 😀 ' })).toEqual({
      ok: true,
      sessionKey: 'agent:ops:openai-user:élodie 😀',
      kind: 'user',
    });
  });

  it('derives in the namespaces it is given (the Responses API)', () => {
    const namespaces = { user: 'openresponses-user', ephemeral: 'openresponses' };
    expect(deriveSessionKey({ agentId: 'main', user: 'Bob', namespaces })).toEqual({
      ok: true,
      sessionKey: 'agent:main:openresponses-user:bob',
      kind: 'user',
    });
    expect(deriveSessionKey({ agentId: 'main', namespaces, randomUUID: fixedUUID })).toEqual({
      ok: true,
      sessionKey: 'agent:main:openresponses:00000000-0000-4000-8000-000000000000',
      kind: 'ephemeral',
    });
    expect(deriveSessionKey({ agentId: 'main', sessionKeyHeader: 'S', user: 'Bob', namespaces })).toEqual({
      ok: true,
      sessionKey: 'S',
      kind: 'explicit',
    });
  });

  it('keeps a huge user whole', () => {
    const user = 'U'.repeat(100_000);
    const result = deriveSessionKey({ agentId: 'main', user });
    expect(result).toEqual({ ok: true, sessionKey: `agent:main:openai-user:${'u'.repeat(100_000)}`, kind: 'user' });
  });

  it.each([[''], ['   ']])('treats the blank header %j as absent', (sessionKeyHeader) => {
    expect(deriveSessionKey({ agentId: 'main', sessionKeyHeader, user: 'bob' })).toEqual({
      ok: true,
      sessionKey: 'agent:main:openai-user:bob',
      kind: 'user',
    });
  });

  it.each([[undefined], [''], [' \t ']])('makes an ephemeral key when user is %j', (user) => {
    expect(deriveSessionKey({ agentId: 'main', user, randomUUID: fixedUUID })).toEqual({
      ok: true,
      sessionKey: 'agent:main:openai:00000000-0000-4000-8000-000000000000',
      kind: 'ephemeral',
    });
  });

  it('uses globalThis.crypto.randomUUID by default, fresh per call', () => {
    const first = deriveSessionKey({ agentId: 'main' });
    const second = deriveSessionKey({ agentId: 'main' });
    if (!first.ok || !second.ok) throw new Error('expected keys');
    const prefix = 'agent:main:openai:';
    expect(first.sessionKey.startsWith(prefix)).toBe(true);
    expect(first.sessionKey.slice(prefix.length)).toMatch(UUID_V4);
    expect(second.sessionKey).not.toBe(first.sessionKey);
  });

  describe('without globalThis.crypto', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('throws a TypeError naming the randomUUID option', () => {
      vi.stubGlobal('crypto', undefined);
      expect(() => deriveSessionKey({ agentId: 'main' })).toThrow(
        new TypeError(
          'globalThis.crypto.randomUUID is not available; pass the `randomUUID` option to deriveSessionKey.',
        ),
      );
    });

    it('still derives user and explicit keys, and ephemeral ones with an injected source', () => {
      vi.stubGlobal('crypto', undefined);
      expect(deriveSessionKey({ agentId: 'main', user: 'a' })).toEqual({
        ok: true,
        sessionKey: 'agent:main:openai-user:a',
        kind: 'user',
      });
      expect(deriveSessionKey({ agentId: 'main', randomUUID: fixedUUID })).toEqual({
        ok: true,
        sessionKey: 'agent:main:openai:00000000-0000-4000-8000-000000000000',
        kind: 'ephemeral',
      });
    });
  });

  it('normalises the agent id it is given', () => {
    expect(deriveSessionKey({ agentId: 'Ops Team', user: 'x' })).toEqual({
      ok: true,
      sessionKey: 'agent:ops-team:openai-user:x',
      kind: 'user',
    });
  });

  it('never throws on any string (property)', () => {
    fc.assert(
      fc.property(
        anyString,
        fc.option(anyString, { nil: undefined }),
        fc.option(anyString, { nil: undefined }),
        (agentId, sessionKeyHeader, user) => {
          const result = deriveSessionKey({ agentId, sessionKeyHeader, user });
          if (result.ok) expect(result.sessionKey).not.toBe('');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips agentId and kind through parseSessionKey (property)', () => {
    fc.assert(
      fc.property(anyString, fc.option(anyString, { nil: undefined }), (agentId, user) => {
        const result = deriveSessionKey({ agentId, user, randomUUID: fixedUUID });
        if (!result.ok) throw new Error('derivation without a header cannot be refused');
        const parsed = parseSessionKey(result.sessionKey);
        expect(parsed?.agentId).toBe(normalizeAgentId(agentId));
        expect(parsed?.kind).toBe(result.kind);
        if (result.kind === 'user') expect(parsed?.rest).toBe((user ?? '').trim().toLowerCase());
        else expect(parsed?.rest).toBe(fixedUUID());
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips explicit headers to the same trimmed key (property)', () => {
    fc.assert(
      fc.property(anyString, (sessionKeyHeader) => {
        const result = deriveSessionKey({ agentId: 'main', sessionKeyHeader });
        if (!result.ok || result.kind !== 'explicit') return;
        const parsed = parseSessionKey(result.sessionKey);
        expect(parsed?.key).toBe(result.sessionKey);
        expect(parsed?.reserved).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
