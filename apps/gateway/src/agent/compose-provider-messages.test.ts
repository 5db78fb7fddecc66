import { describe, expect, it } from 'vitest';
import { frozenTurnCopy } from '../sessions/frozen-turn.js';
import type { TranscriptMessage } from '../sessions/session-store.js';
import { composeProviderMessages } from './compose-provider-messages.js';

const prompt = { text: 'now', extraSystemPrompt: undefined, images: [] };

/** The messages a store hands out: frozen copies, as `load` returns them. */
function stored(messages: TranscriptMessage[]): TranscriptMessage[] {
  return [...frozenTurnCopy({ createdAt: '2026-01-01T00:00:00.000Z', messages }).messages];
}

describe('composeProviderMessages', () => {
  it('sends stored messages as the model expects them, tool calls rendered into the text', () => {
    const transcript = stored([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      },
      { role: 'user', content: 'and then?' },
      { role: 'assistant', content: 'Sunny.', toolCalls: [] },
      { role: 'assistant', content: 'Done.' },
    ]);
    const expected = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: 'tool_call id=call_1 name=get_weather arguments={"city":"Oslo"}' },
      { role: 'user', content: 'and then?' },
      { role: 'assistant', content: 'Sunny.' },
      { role: 'assistant', content: 'Done.' },
      { role: 'user', content: 'now' },
    ];
    const first = composeProviderMessages({ agentSystemPrompt: 'Be brief.', transcript, prompt });
    // Exact JSON: no `toolCalls` key (even an empty one) reaches the upstream.
    expect(JSON.stringify(first)).toBe(JSON.stringify(expected));
    // A later turn gets the same objects again (so their serialisation can be reused), and plain
    // stored messages are passed through without a copy.
    const second = composeProviderMessages({ agentSystemPrompt: 'Be brief.', transcript, prompt });
    expect(JSON.stringify(second)).toBe(JSON.stringify(expected));
    for (let index = 1; index <= 5; index += 1) expect(second[index]).toBe(first[index]);
    expect(second[1]).toBe(transcript[0]);
    expect(second[5]).toBe(transcript[4]);
  });

  it('copies messages that are not a store’s frozen ones', () => {
    const transcript: TranscriptMessage[] = [{ role: 'user', content: 'mutable' }];
    const [message] = composeProviderMessages({ agentSystemPrompt: undefined, transcript, prompt });
    expect(message).toEqual({ role: 'user', content: 'mutable' });
    expect(message).not.toBe(transcript[0]);
  });
});
