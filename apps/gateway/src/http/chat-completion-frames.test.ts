import { describe, expect, it } from 'vitest';
import { createChatCompletionFrames } from './chat-completion-frames.js';

const identity = { id: 'chatcmpl_"quoted"\u2028', created: 1_700_000_000, model: 'openclaw/main' };
const frame = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const chunk = (choices: unknown, extra: Record<string, unknown> = {}) => ({
  id: identity.id,
  object: 'chat.completion.chunk',
  created: identity.created,
  model: identity.model,
  choices,
  ...extra,
});
const delta = (value: unknown, finishReason: string | null = null) =>
  chunk([{ index: 0, delta: value, finish_reason: finishReason }]);

describe('createChatCompletionFrames', () => {
  const frames = createChatCompletionFrames(identity);
  const awkward = 'line\nbreak "quotes" \\ back \u0000 nul \ud83d\ude00 and a lone \ud800';

  it('builds each frame byte for byte as JSON.stringify of the whole chunk object', () => {
    expect(frames.role()).toBe(frame(delta({ role: 'assistant' })));
    expect(frames.content(awkward)).toBe(frame(delta({ content: awkward })));
    expect(frames.toolCallStart(2, 'call_"x"', awkward)).toBe(
      frame(
        delta({
          tool_calls: [{ index: 2, id: 'call_"x"', type: 'function', function: { name: awkward, arguments: '' } }],
        }),
      ),
    );
    expect(frames.toolCallDelta(1, awkward)).toBe(
      frame(delta({ tool_calls: [{ index: 1, function: { arguments: awkward } }] })),
    );
    expect(frames.finish('tool_calls')).toBe(frame(delta({}, 'tool_calls')));
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    expect(frames.usage(usage)).toBe(frame(chunk([], { usage })));
  });

  it('gives frames that parse back to the chunk', () => {
    expect(JSON.parse(frames.content('hi').slice(6))).toEqual(delta({ content: 'hi' }));
  });
});
