/**
 * Fuzz: thousands of generated bodies and headers against ONE listening app over the real runner.
 * Every reply must be a well-formed 2xx/4xx (JSON error body, completion or complete SSE stream)
 * with the security headers, and the server must keep answering.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunnerApp } from './__fixtures__/build-runner-app.js';
import { testConfig, TEST_TOKEN } from './__fixtures__/build-test-app.js';

let server: http.Server;
let baseUrl: string;
let closeRunner: () => Promise<void>;

beforeAll(async () => {
  const built = buildRunnerApp({ config: testConfig({ gateway: { http: { maxBodyBytes: 2 * 1024 * 1024 } } }) });
  closeRunner = built.close;
  server = http.createServer(built.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeRunner();
});

const DEPTH = 10_000;
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
const userMessage = '{"role":"user","content":"hi"}';

/** Hand-picked hostile bodies, always included. */
const SPECIAL_BODIES = [
  deepArray,
  deepObject,
  `{"messages":${deepArray}}`,
  `{"messages":[{"role":"user","content":${deepArray}}]}`,
  `{"messages":[${userMessage}],"metadata":${deepObject}}`,
  `{"messages":[${userMessage}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject}}}]}`,
  `{"messages":[{"role":"user","content":"\\ud800 lone \\udfff surrogates"}],"user":"\\ud83d"}`,
  `{"messages":[{"role":"user","content":"${'x'.repeat(1024 * 1024)}"}]}`,
  `{"messages":[{"role":"user","content":"hi"}],"model":"${'a'.repeat(100_000)}"}`,
  '\uFEFF\uFEFF{}',
  '\u0000\u0001\u0002',
  '{"__proto__":{"stream":true},"messages":[{"role":"user","content":"hi"}]}',
  '{"constructor":{"prototype":{"polluted":1}},"messages":[{"role":"user","content":"hi"}]}',
];

const roles = fc.constantFrom('user', 'assistant', 'system', 'developer', 'tool', 'function', 'bogus');
const content = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constant(null),
  fc.array(fc.record({ type: fc.constantFrom('text', 'input_text', 'image_url', 'x'), text: fc.string() }), {
    maxLength: 3,
  }),
  fc.anything(),
);
const message = fc.record({ role: roles, content }, { requiredKeys: [] });
const plausibleBody = fc.record(
  {
    model: fc.oneof(
      fc.constantFrom('openclaw', 'openclaw:beta', 'agent:main', 'openclaw/gamma', '', 'gpt-4o'),
      fc.string({ unit: 'binary' }),
    ),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.anything()),
    stream: fc.oneof(fc.boolean(), fc.constant(null), fc.anything()),
    stream_options: fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), fc.anything()) }), fc.anything()),
    user: fc.oneof(fc.string({ unit: 'binary' }), fc.anything()),
    temperature: fc.oneof(fc.double(), fc.anything()),
    max_tokens: fc.oneof(fc.integer(), fc.anything()),
    tools: fc.anything(),
    tool_choice: fc.anything(),
    stop: fc.anything(),
  },
  { requiredKeys: [] },
);
// Valid requests with odd text (any unicode, lone surrogates included), so the run itself is fuzzed.
const validBody = fc.record({
  model: fc.constantFrom('openclaw', 'openclaw:beta', 'agent:main', 'openclaw/default', ''),
  user: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: undefined }),
  stream: fc.boolean(),
  stream_options: fc.record({ include_usage: fc.boolean() }),
  max_tokens: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  messages: fc
    .array(
      fc.record({
        role: fc.constantFrom('user', 'assistant', 'system'),
        content: fc.string({ unit: 'binary', maxLength: 300 }),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((messages) => [...messages, { role: 'user', content: 'x' }]),
});
const body = fc.oneof(
  { weight: 5, arbitrary: validBody.map((value) => JSON.stringify(value)) },
  { weight: 5, arbitrary: plausibleBody.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_BODIES) },
);

// Header values a real HTTP client can send: visible ASCII, spaces and tabs, no CR/LF.
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});
/** Mostly absent, sometimes garbage: so most requests still reach the run. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const headers = fc
  .record(
    {
      authorization: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Bearer ${TEST_TOKEN}`) },
        { weight: 1, arbitrary: fc.constant('Bearer wrong') },
        { weight: 1, arbitrary: headerValue },
      ),
      'x-openclaw-agent-id': sometimes(headerValue),
      'x-openclaw-agent': sometimes(headerValue),
      'x-openclaw-session-key': sometimes(fc.oneof(headerValue, fc.constantFrom('subagent:x', 'cron:y', 'acp:z'))),
      'x-openclaw-model': sometimes(fc.oneof(headerValue, fc.constantFrom('offline/clawgate-offline', 'openai/'))),
      'x-openclaw-message-channel': sometimes(headerValue),
      'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
    },
    { requiredKeys: ['authorization'] },
  )
  .map(
    (record) =>
      Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>,
  );

const ALLOWED_STATUSES = new Set([200, 400, 401, 403, 413]);
/** Replies per status, so the test can prove it reached both the run and the refusals. */
const statusCounts = new Map<number, number>();

async function checkReply(requestBody: string, requestHeaders: Record<string, string>): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: requestHeaders,
    body: requestBody,
  });
  const text = await response.text();
  statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
  expect(ALLOWED_STATUSES.has(response.status), `status ${response.status}: ${text.slice(0, 200)}`).toBe(true);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const type = response.headers.get('content-type');
  if (type === 'text/event-stream; charset=utf-8') {
    expect(response.status).toBe(200);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    for (const frame of text.split('\n\n').filter((part) => part !== '')) {
      expect(frame.startsWith('data: ') || frame === ': ping').toBe(true);
      const data = frame.slice(6);
      if (data !== '[DONE]' && frame !== ': ping') {
        const parsed = JSON.parse(data) as Record<string, unknown>;
        expect(parsed.object === 'chat.completion.chunk' || 'error' in parsed).toBe(true);
      }
    }
    return;
  }
  expect(type).toBe('application/json; charset=utf-8');
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (response.status === 200) {
    expect(parsed.object).toBe('chat.completion');
    return;
  }
  const error = parsed.error as Record<string, unknown>;
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(typeof error.message).toBe('string');
  expect(typeof error.type).toBe('string');
  expect(Object.keys(error).every((key) => ['message', 'type', 'code'].includes(key))).toBe(true);
}

describe('fuzzing POST /v1/chat/completions', () => {
  it('answers every hand-picked hostile body with a well-formed 2xx/4xx', async () => {
    for (const special of SPECIAL_BODIES) {
      await checkReply(special, { authorization: `Bearer ${TEST_TOKEN}` });
    }
  });

  it('answers a few thousand generated bodies and headers with well-formed 2xx/4xx and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (requestBody, requestHeaders) => {
        await checkReply(requestBody, requestHeaders);
      }),
      // No fixed seed: each CI run explores new inputs; fast-check prints the seed of a failure.
      { numRuns: 2_500 },
    );
    // The generators must reach the run (200) as well as every kind of refusal.
    for (const status of [200, 400, 401]) {
      expect(statusCounts.get(status) ?? 0, `replies with ${status}`).toBeGreaterThan(20);
    }
    const after = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'still up?' }] }),
    });
    expect(after.status).toBe(200);
  }, 60_000);
});
