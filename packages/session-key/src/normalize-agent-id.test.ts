import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from './__fixtures__/arbitraries.js';
import { DEFAULT_AGENT_ID, isValidAgentId, normalizeAgentId } from './normalize-agent-id.js';

describe('normalizeAgentId', () => {
  it.each([
    ['ops', 'ops'],
    ['  ops  ', 'ops'],
    ['OPS', 'ops'],
    ['Ops Team', 'ops-team'],
    ['ops   team!!', 'ops-team'],
    ['a.b,c', 'a-b-c'],
    ['--ops--', 'ops'],
    ['__ops__', 'ops__'],
    ['_-_ops', 'ops'],
    ['ops_', 'ops_'],
    ['ops-', 'ops'],
    ['été', 't'],
    ['café bar', 'caf-bar'],
    ['a😀b', 'a-b'],
    ['agent:ops', 'agent-ops'],
    ['K', 'k'], // Kelvin sign lowercases to ASCII k
    ['0day', '0day'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeAgentId(raw)).toBe(expected);
  });

  it.each([[''], ['   '], ['!!!'], ['---'], ['___'], ['😀'], [undefined], [null]])(
    'falls back to main for %j',
    (raw) => {
      expect(normalizeAgentId(raw)).toBe('main');
    },
  );

  it('caps the id at 64 characters', () => {
    expect(normalizeAgentId('a'.repeat(100))).toBe('a'.repeat(64));
  });

  it('trims a dash exposed by the 64-character cut', () => {
    const raw = `${'a'.repeat(63)} tail`;
    expect(normalizeAgentId(raw)).toBe('a'.repeat(63));
  });

  it('counts the cut after collapsing runs, not on the raw input', () => {
    expect(normalizeAgentId(`${'!'.repeat(10)}${'b'.repeat(64)}`)).toBe('b'.repeat(64));
  });

  it('exposes main as the default id', () => {
    expect(DEFAULT_AGENT_ID).toBe('main');
  });

  it('always yields a valid id (property)', () => {
    fc.assert(
      fc.property(anyString, (raw) => {
        expect(isValidAgentId(normalizeAgentId(raw))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(anyString, (raw) => {
        const once = normalizeAgentId(raw);
        expect(normalizeAgentId(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps valid ids without a trailing dash unchanged (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}[a-z0-9_]$/), (id) => {
        expect(normalizeAgentId(id)).toBe(id);
      }),
    );
  });
});

describe('isValidAgentId', () => {
  it.each([
    ['main', true],
    ['a', true],
    ['0', true],
    ['ops-team_1', true],
    ['a-', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['-a', false],
    ['_a', false],
    ['Main', false],
    ['a b', false],
    ['a:b', false],
    ['a/b', false],
    ['é', false],
  ])('%j → %j', (value, expected) => {
    expect(isValidAgentId(value)).toBe(expected);
  });
});
