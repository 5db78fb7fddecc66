/**
 * Bounded work per request, against the BUILT gateway with a real upstream on loopback that
 * misbehaves on demand: hostile bodies are refused cheaply while other clients keep being served,
 * and an upstream that cuts its stream, trickles forever, goes silent or says too much fails the
 * turn with a clear error and stores nothing.
 */
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  residentMegabytes,
  startConfiguredGateway,
  type ConfiguredGateway,
} from './__fixtures__/configured-gateway.js';
import { startFakeUpstream, upstreamChunk, type FakeUpstream } from './__fixtures__/fake-upstream.js';
import { streamCompletion } from './__fixtures__/gateway-process.js';

const TOKEN = 'bounded-work-test-token';
const MAX_REPLY_CHARS = 1_000;

/** What the upstream does with the next request; each test sets it. */
let behave: (response: http.ServerResponse) => void = (response) => response.destroy();

let upstream: FakeUpstream;
let gateway: ConfiguredGateway;

beforeAll(async () => {
  upstream = await startFakeUpstream((_request, response) => behave(response));
  gateway = await startConfiguredGateway({
    gateway: {
      auth: { mode: 'token', token: TOKEN },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    models: {
      providers: { up: { baseUrl: upstream.baseUrl, timeoutMs: 1_500, idleTimeoutMs: 800 } },
    },
    agents: { defaults: { model: 'up/m1', maxReplyChars: MAX_REPLY_CHARS } },
    sessions: { store: 'file' },
  });
}, 90_000);

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

/** Posts a raw body and resolves with the status, the parsed JSON body and the elapsed time. */
function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (text += piece));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          json: JSON.parse(text) as unknown,
          ms: performance.now() - started,
        }),
      );
    });
    request.end(body);
  });
}

/** GET /healthz on a fresh connection; resolves with the status and the round trip in ms. */
function probeHealth(): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${gateway.url}/healthz`, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
      })
      .on('error', reject);
  });
}

const userTurn = (text: string) => JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: text }] });

/** Error frames (`data: {"error":…}`) in a raw SSE text. */
function errorFrames(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: {"error"'))
    .map((frame) => JSON.parse(frame.slice(6)) as unknown);
}

describe('hostile request bodies', () => {
  it('refuses 5 million array items with a 400 naming the limit, while /healthz keeps answering', async () => {
    const body = `{"model":"openclaw","messages":[${'1,'.repeat(5_000_000)}1]}`;
    const [hostile, probe] = await Promise.all([post(body), probeHealth()]);
    expect(hostile.status).toBe(400);
    expect(hostile.json).toEqual({
      error: {
        message: 'Request body holds more than the limit of 250000 JSON values.',
        type: 'invalid_request_error',
      },
    });
    expect(probe.status).toBe(200);
    // Before the limits this body froze the event loop for 41 s; the bound has 10× headroom over 100 ms.
    expect(probe.ms).toBeLessThan(1_000);
    expect(residentMegabytes(gateway)).toBeLessThan(400);
  }, 60_000);

  it('refuses a million empty messages by count, and stays small', async () => {
    const hostile = await post(`{"model":"openclaw","messages":[${'{},'.repeat(999_999)}{}]}`);
    expect(hostile.status).toBe(400);
    expect(hostile.json).toEqual({
      error: {
        message: 'Request body holds more than the limit of 250000 JSON values.',
        type: 'invalid_request_error',
      },
    });
    expect(residentMegabytes(gateway)).toBeLessThan(400);
  }, 60_000);

  it('refuses more messages than maxMessages with the OpenAI-style sentence', async () => {
    const hostile = await post(`{"model":"openclaw","messages":[${'{},'.repeat(2_999)}{}]}`);
    expect(hostile).toMatchObject({
      status: 400,
      json: {
        error: {
          message:
            "Invalid 'messages': array too long. Expected an array with maximum length 2048, but got an array with length 3000 instead.",
          type: 'invalid_request_error',
        },
      },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses too many tools', async () => {
    const tool = '{"type":"function","function":{"name":"f"}}';
    const hostile = await post(
      `{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"tools":[${Array(129).fill(tool).join(',')}]}`,
    );
    expect(hostile.status).toBe(400);
    expect(hostile.json).toEqual({
      error: {
        message:
          "Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length 129 instead.",
        type: 'invalid_request_error',
      },
    });
  });

  it.each([
    [
      'tools[].function.parameters',
      (deep: string) => `"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]`,
    ],
    ['response_format.json_schema', (deep: string) => `"response_format":{"type":"json_schema","json_schema":${deep}}`],
  ])('answers 400 naming the depth limit for %s nested 100,000 deep', async (_field, place) => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const hostile = await post(`{"model":"openclaw","messages":[{"role":"user","content":"hi"}],${place(deep)}}`);
    expect(hostile.status).toBe(400);
    expect(hostile.json).toEqual({
      error: {
        message: 'Request body nests arrays and objects deeper than the limit of 64 levels.',
        type: 'invalid_request_error',
      },
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('an upstream stream cut without [DONE] or a finish reason', () => {
  const cut = (response: http.ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(upstreamChunk({ role: 'assistant', content: 'half an ans' }));
    response.end();
  };
  const truncated = { error: { message: 'upstream stream ended before the answer was complete', type: 'api_error' } };

  it('is a 502 for a whole answer, and the cut text is never replayed as history', async () => {
    behave = cut;
    const sessionHeaders = { 'x-openclaw-session-key': 'cut-session-1' };
    const first = await post(userTurn('first question'), sessionHeaders);
    expect(first.status).toBe(502);
    expect(first.json).toEqual(truncated);

    behave = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'whole' }, 'stop'));
      response.end('data: [DONE]\n\n');
    };
    const second = await post(userTurn('second question'), sessionHeaders);
    expect(second.status).toBe(200);
    const history = JSON.stringify(upstream.requests.at(-1)?.body.messages);
    expect(history).toContain('second question');
    expect(history).not.toContain('half an ans');
    expect(history).not.toContain('first question');
  });

  it('is an error frame and [DONE] after the output already sent', async () => {
    behave = cut;
    const outcome = await streamCompletion(gateway.url, TOKEN, {
      model: 'openclaw',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(outcome.status).toBe(200);
    expect(outcome.content).toBe('half an ans');
    expect(errorFrames(outcome.text)).toEqual([truncated]);
    expect(outcome.text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(outcome.text).not.toContain('"finish_reason":"stop"');
  });

  it('is still complete when it ends with a finish reason but no [DONE]', async () => {
    behave = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'all of it' }, 'stop'));
      response.end();
    };
    const whole = await post(userTurn('q'));
    expect(whole.status).toBe(200);
    expect(whole.json).toMatchObject({ choices: [{ message: { content: 'all of it' }, finish_reason: 'stop' }] });
  });
});

describe('upstream time limits', () => {
  /** Ignores `stream: false` and sends a chunk every 100 ms until the gateway hangs up. */
  const trickle = (response: http.ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => response.write(upstreamChunk({ content: '.' })), 100);
    response.on('close', () => clearInterval(timer));
  };

  it('answers a whole-answer request 504 at timeoutMs although bytes keep coming', async () => {
    behave = trickle;
    const answer = await post(userTurn('q'));
    expect(answer.status).toBe(504);
    expect(answer.json).toEqual({ error: { message: 'upstream provider timeout', type: 'api_error' } });
    // The gateway hung up on the upstream (it does not keep reading a request nobody waits for).
    await upstream.requests[0]?.closed;
  }, 20_000);

  it('ends a stream whose upstream goes silent for idleTimeoutMs with an error frame and [DONE]', async () => {
    behave = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'then silence' }));
    };
    const outcome = await streamCompletion(gateway.url, TOKEN, {
      model: 'openclaw',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(outcome.content).toBe('then silence');
    expect(errorFrames(outcome.text)).toEqual([{ error: { message: 'upstream provider timeout', type: 'api_error' } }]);
    expect(outcome.text.endsWith('data: [DONE]\n\n')).toBe(true);
    await upstream.requests[0]?.closed;
  }, 20_000);
});

describe('an upstream that says too much', () => {
  const tooLarge = {
    error: {
      message: `The model's reply exceeded the limit of ${MAX_REPLY_CHARS} characters.`,
      type: 'api_error',
      code: 'reply_too_large',
    },
  };
  /** 100 characters a chunk, without end, until the gateway hangs up. */
  const endless = (response: http.ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const write = () => {
      while (!response.destroyed && response.write(upstreamChunk({ content: 'x'.repeat(100) }))) {
        if (response.writableLength > 1 << 20) break;
      }
    };
    response.on('drain', write);
    write();
  };

  it('fails a whole answer with 502 reply_too_large, stores nothing, and drops the upstream', async () => {
    behave = endless;
    const sessionHeaders = { 'x-openclaw-session-key': 'too-large-session' };
    const answer = await post(userTurn('tell me everything'), sessionHeaders);
    expect(answer.status).toBe(502);
    expect(answer.json).toEqual(tooLarge);
    await upstream.requests[0]?.closed;

    behave = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`${upstreamChunk({ role: 'assistant', content: 'short' }, 'stop')}data: [DONE]\n\n`);
    };
    expect((await post(userTurn('next'), sessionHeaders)).status).toBe(200);
    const history = JSON.stringify(upstream.requests.at(-1)?.body.messages);
    expect(history).not.toContain('xxxxxxxxxx');
    expect(history).not.toContain('tell me everything');
  }, 20_000);

  it('ends a stream with the reply_too_large error frame and [DONE] after exactly the allowed text', async () => {
    behave = endless;
    const outcome = await streamCompletion(gateway.url, TOKEN, {
      model: 'openclaw',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(outcome.content).toBe('x'.repeat(MAX_REPLY_CHARS));
    expect(errorFrames(outcome.text)).toEqual([tooLarge]);
    expect(outcome.text.endsWith('data: [DONE]\n\n')).toBe(true);
  }, 20_000);
});
