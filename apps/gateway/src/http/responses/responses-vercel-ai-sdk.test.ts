/**
 * The Vercel AI SDK's OpenAI provider in its Responses mode (`openai.responses(…)`) against the
 * gateway's `/v1/responses`, with the built-in offline model (docs/responses-api.md).
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { describe, expect, it, vi } from 'vitest';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../../__fixtures__/in-process-gateway.js';

vi.setConfig({ testTimeout: 20_000 });

const start = useInProcessGateways();

async function provider() {
  const gateway = await start({ gateway: { http: { endpoints: { responses: { enabled: true } } } } });
  return createOpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${gateway.url}/v1` });
}

describe('the Vercel AI SDK in Responses mode', () => {
  it('streams a turn', async () => {
    const openai = await provider();
    const result = streamText({ model: openai.responses('openclaw'), prompt: 'hello from vercel' });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('[clawgate offline model] Turn 1. You said: "hello from vercel"');
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBe(pieces.length);
    expect((await result.response).id).toMatch(/^resp_/);
  });

  it('generates a turn without streaming, with a system prompt', async () => {
    const openai = await provider();
    const result = await generateText({
      model: openai.responses('openclaw/beta'),
      system: 'Be brief.',
      prompt: 'hello again',
    });
    expect(result.text).toBe('[clawgate offline model] Turn 1. You said: "hello again"');
  });

  it('receives a streamed client tool call', async () => {
    const openai = await provider();
    const result = streamText({
      model: openai.responses('openclaw'),
      prompt: 'call lookup {"q":"clawgate"}',
      tools: {
        lookup: tool({ description: 'Looks a word up', inputSchema: jsonSchema({ type: 'object', properties: {} }) }),
      },
    });
    const calls = await result.toolCalls;
    expect(calls).toEqual([
      expect.objectContaining({
        type: 'tool-call',
        toolCallId: 'call_offline_1_lookup',
        toolName: 'lookup',
        input: { q: 'clawgate' },
      }),
    ]);
    expect(await result.finishReason).toBe('tool-calls');
  });
});
