/**
 * Streams pass nginx unbuffered without `proxy_buffering off`: every SSE answer of the gateway says
 * `X-Accel-Buffering: no` (docs/http-contract.md#streaming-response), the JSON answers do not.
 */
import { describe, expect, it } from 'vitest';
import { useInProcessGateways } from './__fixtures__/in-process-gateway.js';

const start = useInProcessGateways();
const responsesOn = { gateway: { http: { endpoints: { responses: { enabled: true } } } } };
const chatBody = { model: 'openclaw', stream: true, messages: [{ role: 'user', content: 'hi' }] };

describe('X-Accel-Buffering on SSE responses (apps/gateway/README.md#behind-nginx)', () => {
  it('is "no" on a chat completions stream, next to the SSE headers', async () => {
    const { url, headers } = await start();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(chatBody),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(await response.text()).toMatch(/data: \[DONE\]\n\n$/);
  });

  it('is "no" on a /v1/responses stream', async () => {
    const { url, headers } = await start(responsesOn);
    const response = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'openclaw', stream: true, input: 'hi' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(await response.text()).toContain('event: response.completed');
  });

  it('is absent from a JSON answer, which nginx may buffer', async () => {
    const { url, headers } = await start();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...chatBody, stream: false }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-accel-buffering')).toBeNull();
    await response.arrayBuffer();
  });
});
