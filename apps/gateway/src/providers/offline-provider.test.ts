import { describe, expect, it } from 'vitest';
import type { ProviderEvent, ProviderRequest } from './model-provider.js';
import { providerEvents } from './__fixtures__/provider-events.js';
import { createOfflineProvider } from './offline-provider.js';

async function collect(
  request: ProviderRequest,
  delayMs = 0,
  signal = new AbortController().signal,
): Promise<ProviderEvent[]> {
  const events: ProviderEvent[] = [];
  for await (const event of providerEvents(createOfflineProvider({ delayMs }), request, { signal })) events.push(event);
  return events;
}

const text = (events: ProviderEvent[]) =>
  events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('');
const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
  { type: 'function', function: { name: 'get_time' } },
] as NonNullable<ProviderRequest['parameters']['tools']>;

describe('offline provider', () => {
  it('answers with the label, the turn count and the last user message, word by word', async () => {
    const events = await collect({
      model: 'clawgate-offline',
      messages: [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: 'Hello   there,\nfriend' },
      ],
      parameters: {},
    });
    expect(text(events)).toBe('[clawgate offline model] Turn 2. You said: "Hello there, friend"');
    expect(
      events.filter((event) => event.type === 'text-delta').map((event) => event.type === 'text-delta' && event.text),
    ).toEqual(['[clawgate ', 'offline ', 'model] ', 'Turn ', '2. ', 'You ', 'said: ', '"Hello ', 'there, ', 'friend"']);
    // Prompt: 8 + 5 + 5 + 21 = 39 characters → 10 tokens; completion: 10 words.
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('summarises long messages to 80 characters and counts images', async () => {
    const long = 'word '.repeat(40);
    const events = await collect({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: long },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
      parameters: {},
    });
    expect(text(events)).toBe(
      `[clawgate offline model] Turn 1. You said: "${'word '.repeat(16).slice(0, 79)}…" (1 image(s))`,
    );
  });

  it('reports a tool result', async () => {
    const events = await collect({
      model: 'm',
      messages: [{ role: 'tool', tool_call_id: 'call_9', content: 'Sunny, 21C' }],
      parameters: {},
    });
    expect(text(events)).toBe('[clawgate offline model] Tool call_9 returned: "Sunny, 21C"');
  });

  it('calls a tool when asked with "call <name>", using the JSON object that follows', async () => {
    const events = await collect({
      model: 'm',
      messages: [{ role: 'user', content: 'Please call get_weather {"city": "Paris"} now' }],
      parameters: { tools },
    });
    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_offline_1_get_weather', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":"Paris"}' },
      { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
  });

  it('does not call a tool for tool_choice none, unknown names or without the trigger', async () => {
    for (const [content, toolChoice] of [
      ['call get_weather', 'none'],
      ['call get_weatherman', 'auto'],
      ['what is get_weather', undefined],
    ] as const) {
      const events = await collect({
        model: 'm',
        messages: [{ role: 'user', content }],
        parameters: { tools, tool_choice: toolChoice },
      });
      expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    }
  });

  it('forces a call for tool_choice required (first tool) or a named function', async () => {
    const required = await collect({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      parameters: { tools, tool_choice: 'required' },
    });
    expect(required[0]).toEqual({
      type: 'tool-call-start',
      index: 0,
      id: 'call_offline_1_get_weather',
      name: 'get_weather',
    });
    const named = await collect({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      parameters: { tools, tool_choice: { type: 'function', function: { name: 'get_time' } } },
    });
    expect(named.slice(0, 2)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_offline_1_get_time', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, arguments: '{}' },
    ]);
  });

  it('cuts the reply at max_completion_tokens words with finish length', async () => {
    const events = await collect({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      parameters: { max_completion_tokens: 3 },
    });
    expect(text(events)).toBe('[clawgate offline model] ');
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } },
      { type: 'finish', finishReason: 'length' },
    ]);
  });

  it('paces words by delayMs and stops when the signal aborts', async () => {
    const controller = new AbortController();
    const seen: ProviderEvent[] = [];
    const started = Date.now();
    let caught: unknown;
    try {
      for await (const event of providerEvents(
        createOfflineProvider({ delayMs: 40 }),
        { model: 'm', messages: [{ role: 'user', content: 'hi' }], parameters: {} },
        { signal: controller.signal },
      )) {
        seen.push(event);
        if (seen.length === 3) controller.abort(new Error('stop'));
      }
    } catch (error) {
      caught = error;
    }
    expect(seen).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect((caught as Error).message).toBe('stop');
  });
});
