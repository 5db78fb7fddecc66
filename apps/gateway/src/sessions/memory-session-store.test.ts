import { describe, expect, it } from 'vitest';
import { createMemorySessionStore } from './memory-session-store.js';
import { numberedTurn } from './__fixtures__/numbered-turn.js';
import { describeResponseIds } from './__fixtures__/response-id-conformance.js';
import { describeSessionListing } from './__fixtures__/session-listing-conformance.js';

const turn = numberedTurn;

describe('memory session store', () => {
  it('stores turns per key and trims on load', async () => {
    const store = createMemorySessionStore();
    for (let index = 0; index < 3; index += 1) await store.append('k', turn(index));
    await store.append('other', turn(9));
    expect((await store.load('k', { maxMessages: 4 })).map((message) => message.content)).toEqual([
      'q1',
      'a1',
      'q2',
      'a2',
    ]);
    expect((await store.load('other', { maxMessages: 4 })).map((message) => message.content)).toEqual(['q9', 'a9']);
    expect(await store.load('none', { maxMessages: 4 })).toEqual([]);
  });

  it('keeps its own copy on append and hands out frozen messages, so callers cannot change stored history', async () => {
    const store = createMemorySessionStore();
    const original = turn(0);
    await store.append('k', original);
    original.messages[0]!.content = 'changed after append';
    const loaded = await store.load('k', { maxMessages: 10 });
    expect(() => {
      loaded[0]!.content = 'changed after load';
    }).toThrow(TypeError);
    // The array itself is the caller's.
    loaded.pop();
    expect((await store.load('k', { maxMessages: 10 })).map((message) => message.content)).toEqual(['q0', 'a0']);
  });
});

describe('memory session store copies', () => {
  it('keeps tool calls and meta, and loaded tool calls are frozen too', async () => {
    const store = createMemorySessionStore();
    const call = { id: 'call_1', name: 'lookup', arguments: '{"q":1}' };
    await store.append('k', {
      createdAt: '2026-01-01T00:00:00.000Z',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '', toolCalls: [call] },
      ],
      meta: { agentId: 'main', model: 'up/m', messageChannel: 'webchat', finishReason: 'tool_calls' },
    });
    call.arguments = 'changed after append';
    const loaded = await store.load('k', { maxMessages: 10 });
    expect(loaded).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":1}' }] },
    ]);
    const assistant = loaded[1];
    expect(() => {
      if (assistant?.role === 'assistant') assistant.toolCalls![0]!.name = 'changed after load';
    }).toThrow(TypeError);
    expect(await store.load('k', { maxMessages: 10 })).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":1}' }] },
    ]);
  });
});

describe('memory session store bound', () => {
  it('drops the least recently written session past maxSessions', async () => {
    const store = createMemorySessionStore({ maxSessions: 2 });
    await store.append('a', turn(0));
    await store.append('b', turn(1));
    await store.append('a', turn(2));
    await store.append('c', turn(3));
    expect(await store.load('b', { maxMessages: 10 })).toEqual([]);
    expect(await store.load('a', { maxMessages: 10 })).toHaveLength(4);
    expect(await store.load('c', { maxMessages: 10 })).toHaveLength(2);
  });
});

describeSessionListing('memory session store', { create: () => createMemorySessionStore() });

describe('memory session store response ids', () => {
  it('keeps an id until the injected clock reaches its TTL, restarted by remembering it again', async () => {
    let clock = 1_000;
    const store = createMemorySessionStore({ now: () => clock });
    await store.rememberResponse('r', { sessionKey: 's', agentId: 'main' }, { ttlMs: 100 });
    clock += 99;
    expect(await store.recallResponse('r')).toEqual({ sessionKey: 's', agentId: 'main' });
    await store.rememberResponse('r', { sessionKey: 's2', agentId: 'main' }, { ttlMs: 100 });
    clock += 99;
    expect(await store.recallResponse('r')).toEqual({ sessionKey: 's2', agentId: 'main' });
    clock += 1;
    expect(await store.recallResponse('r')).toBeUndefined();
  });

  it('forgets the oldest-remembered id past maxResponses; remembering an id again makes it the newest', async () => {
    const store = createMemorySessionStore({ maxResponses: 2 });
    const stored = (sessionKey: string) => ({ sessionKey, agentId: 'main' });
    await store.rememberResponse('a', stored('a'), { ttlMs: 60_000 });
    await store.rememberResponse('b', stored('b'), { ttlMs: 60_000 });
    await store.rememberResponse('a', stored('a2'), { ttlMs: 60_000 });
    await store.rememberResponse('c', stored('c'), { ttlMs: 60_000 });
    expect(await store.recallResponse('b')).toBeUndefined();
    expect(await store.recallResponse('a')).toEqual(stored('a2'));
    expect(await store.recallResponse('c')).toEqual(stored('c'));
    expect(() => createMemorySessionStore({ maxResponses: 0 })).toThrow('`maxResponses` must be a positive integer');
  });
});

let sharedClock = 0;
describeResponseIds('memory session store', {
  create: () => createMemorySessionStore({ now: () => sharedClock }),
  expire: async (_store, _responseId, ttlMs) => {
    sharedClock += ttlMs;
  },
});
