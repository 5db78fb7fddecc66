import { describe, expect, it } from 'vitest';
import { frozenTurnCopy } from './frozen-turn.js';
import type { TranscriptTurn } from './session-store.js';

const meta = { agentId: 'main', model: 'up/m', messageChannel: 'webchat', finishReason: 'stop' };
const turn = (finishReason = 'stop'): TranscriptTurn => ({
  createdAt: '2026-01-01T00:00:00.000Z',
  messages: [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] },
  ],
  meta: { ...meta, finishReason },
});

describe('frozenTurnCopy', () => {
  it('copies deeply and freezes every level, leaving the original writable', () => {
    const original = turn();
    const copy = frozenTurnCopy(original);
    expect(copy).toEqual(original);
    const assistant = copy.messages[1]!;
    for (const value of [copy, copy.messages, copy.messages[0], assistant, copy.meta])
      expect(Object.isFrozen(value)).toBe(true);
    if (assistant.role !== 'assistant') throw new Error('expected the assistant message');
    expect(Object.isFrozen(assistant.toolCalls)).toBe(true);
    expect(Object.isFrozen(assistant.toolCalls![0])).toBe(true);
    original.messages[0]!.content = 'changed';
    expect(copy.messages[0]!.content).toBe('q');
  });

  it('shares meta with the previous turn only when every field is equal', () => {
    const first = frozenTurnCopy(turn());
    const same = frozenTurnCopy(turn(), first);
    const other = frozenTurnCopy(turn('length'), same);
    expect(same.meta).toBe(first.meta);
    expect(other.meta).not.toBe(first.meta);
    expect(other.meta).toEqual({ ...meta, finishReason: 'length' });
    const extra = frozenTurnCopy({ ...turn(), meta: { ...meta, extra: 'x' } as TranscriptTurn['meta'] }, first);
    expect(extra.meta).not.toBe(first.meta);
  });

  it('copies and freezes the usage, and compares it by value when sharing meta', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const original = { ...turn(), meta: { ...meta, usage } };
    const first = frozenTurnCopy(original);
    usage.total_tokens = 99;
    expect(first.meta?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(Object.isFrozen(first.meta?.usage)).toBe(true);
    const same = frozenTurnCopy({ ...turn(), meta: { ...meta, usage: { ...first.meta!.usage! } } }, first);
    expect(same.meta).toBe(first.meta);
    const other = frozenTurnCopy(original, first);
    expect(other.meta).not.toBe(first.meta);
    expect(other.meta?.usage?.total_tokens).toBe(99);
    // Fields the type does not name are kept, as without usage.
    const extra = { ...meta, usage: { ...usage, reasoning_tokens: 4 }, runId: 'r1' } as TranscriptTurn['meta'];
    expect(frozenTurnCopy({ ...turn(), meta: extra }).meta).toEqual(extra);
  });
});
