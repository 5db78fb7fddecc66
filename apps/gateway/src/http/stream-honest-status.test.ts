/**
 * Streams hold their headers until the run's first piece (docs/http-contract.md#streaming-response):
 * an upstream that refuses before any output gives a streamed request its real status, which the
 * official `openai` SDK sees as an `APIError` and retries; the heartbeat interval still bounds the hold.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  writeUpstreamStream,
} from '../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';

vi.setConfig({ testTimeout: 20_000 });

const start = useInProcessGateways();
let upstream: FakeUpstream;
/** How the next upstream requests are answered, one entry each; `ok` when the script is empty. */
const script: Array<'429' | '503' | 'silent-then-ok'> = [];
/** Streams the `silent` step holds until the test lets it go on. */
const silent: http.ServerResponse[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream((_record, response) => {
    const step = script.shift();
    if (step === '429') {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end(JSON.stringify({ error: { message: 'slow down' } }));
      return;
    }
    if (step === '503') {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'overloaded' } }));
      return;
    }
    if (step === 'silent-then-ok') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      silent.push(response);
      return;
    }
    writeUpstreamStream(response, [
      upstreamChunk({ role: 'assistant', content: 'recovered' }),
      upstreamChunk({}, 'stop'),
    ]);
  });
});
afterAll(async () => {
  for (const response of silent) response.destroy();
  await upstream.close();
});

async function gateway(sseHeartbeatMs = 15_000) {
  return start({
    gateway: { http: { sseHeartbeatMs, endpoints: { responses: { enabled: true } } } },
    models: { providers: { up: { baseUrl: upstream.baseUrl } } },
    agents: { defaults: { model: 'up/model' } },
  });
}

describe('a stream that fails before its first piece', () => {
  it('reaches the openai SDK as an APIError with the upstream status, on both streaming doors', async () => {
    const { url } = await gateway();
    const openai = new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${url}/v1`, maxRetries: 0 });
    script.push('503');
    const chat = await openai.chat.completions
      .create({ model: 'openclaw', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(chat).toBeInstanceOf(OpenAI.APIError);
    expect([(chat as InstanceType<typeof OpenAI.APIError>).status, (chat as Error).message]).toEqual([
      503,
      '503 overloaded',
    ]);
    script.push('429');
    const responses = await openai.responses
      .create({ model: 'openclaw', stream: true, input: 'hi' })
      .catch((error: unknown) => error);
    expect(responses).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('is retried by the SDK (maxRetries) and succeeds once the upstream recovers', async () => {
    const { url } = await gateway();
    const openai = new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${url}/v1`, maxRetries: 2 });
    const calls = upstream.requests.length;
    script.push('429', '503');
    const stream = await openai.chat.completions.create({
      model: 'openclaw',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('recovered');
    expect(upstream.requests.length - calls).toBe(3);
  });

  it('still sends its headers after the heartbeat interval when the model stays silent', async () => {
    const { url, headers } = await gateway(300);
    script.push('silent-then-ok');
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    // The headers arrived while the upstream has said nothing at all.
    expect(answer.status).toBe(200);
    const reader = answer.body!.getReader();
    let received = '';
    while (!received.includes('"role":"assistant"')) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    const held = silent.at(-1)!;
    held.end(`${upstreamChunk({ role: 'assistant', content: 'late' })}${upstreamChunk({}, 'stop')}data: [DONE]\n\n`);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      received += new TextDecoder().decode(chunk.value);
    }
    expect(received).toContain('"content":"late"');
    expect(received.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
