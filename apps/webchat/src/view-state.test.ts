import { describe, expect, it } from 'vitest';
import type { ChatEventPayload } from './protocol.js';
import { initialViewState, reduceViewState, type ViewAction, type ViewState } from './view-state.js';

const KEY = 'agent:main:webchat-1';

function reduceAll(actions: ViewAction[], from: ViewState = initialViewState): ViewState {
  return actions.reduce(reduceViewState, from);
}

function chat(event: Partial<ChatEventPayload> & Pick<ChatEventPayload, 'state' | 'seq'>): ViewAction {
  return { type: 'chat-event', payload: { runId: 'run-1', sessionKey: KEY, ...event } };
}

/** `message` as the gateway sends it: the reply so far as one text part. */
const soFar = (text: string) => ({ role: 'assistant', content: [{ type: 'text', text }] });

const sent: ViewAction[] = [
  { type: 'session-started', agentId: 'main', sessionKey: KEY },
  { type: 'message-sent', sessionKey: KEY, runId: 'run-1', text: 'Hello' },
];

describe('reduceViewState: a streamed reply', () => {
  it('each delta shows the reply so far; the final event ends the run and frees the composer', () => {
    const afterSend = reduceAll(sent);
    expect(afterSend.activeRunId).toBe('run-1');
    expect(afterSend.messages).toEqual([
      { id: 'user-run-1', role: 'user', text: 'Hello', state: 'done', runId: 'run-1' },
    ]);

    const first = reduceAll([chat({ state: 'delta', seq: 2, deltaText: 'Hi ', message: soFar('Hi ') })], afterSend);
    expect(first.messages[1]).toMatchObject({ role: 'assistant', text: 'Hi ', state: 'streaming' });
    const second = reduceAll([chat({ state: 'delta', seq: 3, deltaText: 'there', message: soFar('Hi there') })], first);
    expect(second.messages[1]).toMatchObject({ text: 'Hi there', state: 'streaming' });
    expect(second.activeRunId).toBe('run-1');

    const final = reduceAll(
      [chat({ state: 'final', seq: 5, stopReason: 'stop', message: soFar('Hi there!') })],
      second,
    );
    expect(final.messages[1]).toMatchObject({ text: 'Hi there!', state: 'done' });
    expect(final.activeRunId).toBeUndefined();
    expect(final.messages).toHaveLength(2);
  });

  it('a delta without the reply so far appends its piece', () => {
    const state = reduceAll([
      ...sent,
      chat({ state: 'delta', seq: 2, deltaText: 'A' }),
      chat({ state: 'delta', seq: 3, deltaText: 'B' }),
    ]);
    expect(state.messages[1]?.text).toBe('AB');
  });

  it('a late or repeated event (seq not above the last applied) cannot rewind the text', () => {
    const state = reduceAll([
      ...sent,
      chat({ state: 'delta', seq: 3, message: soFar('Hi there') }),
      chat({ state: 'delta', seq: 2, message: soFar('Hi ') }),
      chat({ state: 'delta', seq: 3, message: soFar('Hi ') }),
    ]);
    expect(state.messages[1]).toMatchObject({ text: 'Hi there', lastSeq: 3 });
  });

  it('aborted keeps the text so far and marks the reply stopped', () => {
    const state = reduceAll([
      ...sent,
      chat({ state: 'delta', seq: 2, message: soFar('Once upon') }),
      chat({ state: 'aborted', seq: 3, stopReason: 'rpc' }),
    ]);
    expect(state.messages[1]).toMatchObject({ text: 'Once upon', state: 'aborted' });
    expect(state.activeRunId).toBeUndefined();
  });

  it('error shows the message inline on the reply, even before any text', () => {
    const state = reduceAll([
      ...sent,
      chat({ state: 'error', seq: 2, errorMessage: 'Upstream provider unavailable.' }),
    ]);
    expect(state.messages[1]).toMatchObject({
      role: 'assistant',
      text: '',
      state: 'error',
      error: 'Upstream provider unavailable.',
    });
    expect(state.activeRunId).toBeUndefined();
  });

  it('a refused chat.send marks its reply as failed with the reason', () => {
    const state = reduceAll([...sent, { type: 'send-failed', runId: 'run-1', message: 'gateway is shutting down' }]);
    expect(state.messages[1]).toMatchObject({ state: 'error', error: 'gateway is shutting down' });
    expect(state.activeRunId).toBeUndefined();
  });

  it("events of another session's run leave the open conversation unchanged", () => {
    const before = reduceAll(sent);
    const after = reduceAll([chat({ state: 'delta', seq: 2, sessionKey: 'agent:main:other', deltaText: 'x' })], before);
    expect(after).toBe(before);
  });
});

describe('reduceViewState: sessions and history', () => {
  it('lists sessions newest first', () => {
    const state = reduceAll([
      {
        type: 'sessions-loaded',
        sessions: [
          { key: 'a', agentId: 'main', updatedAt: 1 },
          { key: 'c', agentId: 'main', updatedAt: 3 },
          { key: 'b', agentId: 'beta', updatedAt: 2 },
        ],
      },
    ]);
    expect(state.sessions.map((session) => session.key)).toEqual(['c', 'b', 'a']);
  });

  it('opening a session clears the screen; its history fills it (user text, assistant text parts)', () => {
    const opened = reduceAll([...sent, { type: 'session-opened', agentId: 'beta', sessionKey: 'agent:beta:s' }]);
    expect(opened).toMatchObject({ selectedAgentId: 'beta', sessionKey: 'agent:beta:s', messages: [] });
    expect(opened.activeRunId).toBeUndefined();
    const loaded = reduceAll(
      [
        {
          type: 'history-loaded',
          sessionKey: 'agent:beta:s',
          messages: [
            { role: 'user', content: 'Hi', timestamp: 1 },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Hello ' },
                { type: 'text', text: 'you' },
              ],
            },
            { role: 'system', content: 'hidden' },
          ],
        },
      ],
      opened,
    );
    expect(loaded.messages).toEqual([
      { id: 'history-0', role: 'user', text: 'Hi', state: 'done' },
      { id: 'history-1', role: 'assistant', text: 'Hello you', state: 'done' },
    ]);
  });

  it('a history that arrives after the user moved on to another session is dropped', () => {
    const state = reduceAll([
      { type: 'session-opened', agentId: 'main', sessionKey: 'first' },
      { type: 'session-opened', agentId: 'main', sessionKey: 'second' },
      { type: 'history-loaded', sessionKey: 'first', messages: [{ role: 'user', content: 'old' }] },
    ]);
    expect(state.messages).toEqual([]);
  });
});
