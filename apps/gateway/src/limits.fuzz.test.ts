/**
 * Fuzz of the per-request limits against the BUILT gateway: hundreds of generated bodies around and
 * far past every limit (messages, content parts, tool calls, tools, nesting depth, value count).
 * Every body over a limit must get a 400, every valid body within them a 200, none a 5xx, none may
 * hang, and the process must stay small.
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  residentMegabytes,
  startConfiguredGateway,
  type ConfiguredGateway,
} from './__fixtures__/configured-gateway.js';

const TOKEN = 'limits-fuzz-token';
const LIMITS = { maxMessages: 40, maxContentParts: 60, maxTools: 8, maxToolCalls: 30 };
const MAX_JSON_DEPTH = 12;
const MAX_JSON_VALUES = 3_000;
/** Per-request deadline: anything slower counts as a hang. */
const REQUEST_TIMEOUT_MS = 15_000;

let gateway: ConfiguredGateway;

beforeAll(async () => {
  gateway = await startConfiguredGateway({
    gateway: {
      auth: { mode: 'token', token: TOKEN },
      http: {
        endpoints: { chatCompletions: { enabled: true, limits: LIMITS } },
        maxJsonDepth: MAX_JSON_DEPTH,
        maxJsonValues: MAX_JSON_VALUES,
      },
    },
    sessions: { store: 'memory' },
  });
}, 90_000);

afterAll(async () => {
  await gateway?.stop();
});

/**
 * Deepest nesting and the scanner's value count (openings plus commas) of a JSON value; iterative, as bodies nest deep.
 */
function shapeOf(root: unknown): { depth: number; values: number } {
  let depth = 0;
  let values = 0;
  const stack: Array<{ value: unknown; level: number }> = [{ value: root, level: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, level } = item;
    if (value === null || typeof value !== 'object') continue;
    const children = Array.isArray(value) ? value : Object.values(value);
    depth = Math.max(depth, level);
    values += 1 + Math.max(0, children.length - 1);
    for (const child of children) stack.push({ value: child, level: level + 1 });
  }
  return { depth, values };
}

/** `{"a":{"a":…}}` with `levels` objects. */
function nested(levels: number): unknown {
  let value: unknown = { type: 'string' };
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return value;
}

const text = fc.string({ maxLength: 12 });
const goodPart = text.map((value) => ({ type: 'text', text: value }));
const badPart = fc.constantFrom<unknown>({ type: 'text' }, 1, { type: 'audio' });
const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
const userText = text.map((content) => ({ role: 'user', content: `u${content}` }));
const goodMessage = fc.oneof(
  { weight: 4, arbitrary: userText },
  { weight: 1, arbitrary: fc.array(goodPart, { maxLength: 3 }).map((content) => ({ role: 'user', content })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 2 })
      .map((count) => ({ role: 'assistant', content: null, tool_calls: Array(count).fill(call) })),
  },
);
const badMessage = fc.oneof(
  fc.constantFrom<unknown>(1, {}, null, 'x', []),
  fc
    .tuple(fc.array(goodPart, { maxLength: 3 }), badPart)
    .map(([parts, bad]) => ({ role: 'user', content: [...parts, bad] })),
);
/** Up to `maxMessages` valid messages; a quarter of the lists carry one invalid entry somewhere. */
const messageList = fc.oneof(
  { weight: 3, arbitrary: fc.array(goodMessage, { minLength: 1, maxLength: LIMITS.maxMessages }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(goodMessage, { maxLength: LIMITS.maxMessages - 1 }), badMessage, fc.nat())
      .map(([list, bad, at]) => {
        const index = at % (list.length + 1);
        return [...list.slice(0, index), bad, ...list.slice(index)];
      }),
  },
);
const toolOfDepth = (depth: number) => ({ type: 'function', function: { name: 'f', parameters: nested(depth) } });

/** A body within every limit by construction (the oracle below still checks). */
const bodyWithinLimits = fc.record({
  model: fc.constant('openclaw'),
  messages: messageList,
  // `tools[i].function.parameters` sits 4 levels down and `response_format.json_schema` 2: both stay within
  // maxJsonDepth.
  tools: fc.array(fc.integer({ min: 1, max: MAX_JSON_DEPTH - 5 }).map(toolOfDepth), { maxLength: LIMITS.maxTools }),
  response_format: fc
    .integer({ min: 1, max: MAX_JSON_DEPTH - 3 })
    .map((depth) => ({ type: 'json_schema', json_schema: nested(depth) })),
  padding: fc.integer({ min: 0, max: 1_000 }).map((length) => new Array<number>(length).fill(0)),
  stream: fc.boolean(),
});

type FuzzBody = { messages: unknown[]; tools?: unknown[]; stream?: boolean } & Record<string, unknown>;

/** Ways past each limit, applied to a body within them. */
const pastALimit: fc.Arbitrary<(body: FuzzBody) => FuzzBody>[] = [
  fc.integer({ min: LIMITS.maxMessages + 1, max: 200 }).map((count) => (body) => ({
    ...body,
    messages: Array(count).fill({ role: 'user', content: 'u' }),
  })),
  fc.integer({ min: LIMITS.maxContentParts + 1, max: 300 }).map((count) => (body) => ({
    ...body,
    messages: [{ role: 'user', content: Array(count).fill({ type: 'text', text: 'p' }) }],
  })),
  fc.integer({ min: LIMITS.maxToolCalls + 1, max: 200 }).map((count) => (body) => ({
    ...body,
    messages: [
      { role: 'assistant', content: null, tool_calls: Array(count).fill(call) },
      { role: 'user', content: 'u' },
    ],
  })),
  fc
    .integer({ min: LIMITS.maxTools + 1, max: 40 })
    .map((count) => (body) => ({ ...body, tools: Array(count).fill(toolOfDepth(1)) })),
  fc.integer({ min: MAX_JSON_DEPTH + 1, max: 2_000 }).map((depth) => (body) => ({ ...body, metadata: nested(depth) })),
  fc
    .integer({ min: MAX_JSON_DEPTH - 3, max: 2_000 })
    .map((depth) => (body) => ({ ...body, tools: [toolOfDepth(depth)] })),
  fc
    .integer({ min: MAX_JSON_VALUES + 1, max: 200_000 })
    .map((length) => (body) => ({ ...body, padding: Array(length).fill(0) })),
  fc
    .integer({ min: MAX_JSON_VALUES + 1, max: 200_000 })
    .map((length) => (body) => ({ ...body, messages: Array(length).fill(1) })),
];

/** Bodies within the limits, and bodies past one of them. */
const hostileBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  { weight: 3, arbitrary: bodyWithinLimits },
  { weight: 4, arbitrary: fc.tuple(bodyWithinLimits, fc.oneof(...pastALimit)).map(([body, pass]) => pass(body)) },
);

/** The limits a body passes (a 400 is then the only right answer). */
function limitsPassed(body: { messages: unknown[]; tools?: unknown[] }): string[] {
  const passed: string[] = [];
  const shape = shapeOf(body);
  if (shape.depth > MAX_JSON_DEPTH) passed.push('maxJsonDepth');
  if (shape.values > MAX_JSON_VALUES) passed.push('maxJsonValues');
  if (body.messages.length > LIMITS.maxMessages) passed.push('maxMessages');
  if ((body.tools?.length ?? 0) > LIMITS.maxTools) passed.push('maxTools');
  let parts = 0;
  let calls = 0;
  for (const entry of body.messages) {
    const { content, tool_calls: toolCalls } = (entry ?? {}) as { content?: unknown; tool_calls?: unknown };
    if (Array.isArray(content)) parts += content.length;
    if (Array.isArray(toolCalls)) calls += toolCalls.length;
  }
  if (parts > LIMITS.maxContentParts) passed.push('maxContentParts');
  if (calls > LIMITS.maxToolCalls) passed.push('maxToolCalls');
  return passed;
}

/**
 * True when every message is one the schema accepts and one of them gives the turn something to
 * answer (then, within the limits, the turn runs): a user text, or an assistant tool call.
 */
function runnable(body: { messages: unknown[] }): boolean {
  let hasTurn = false;
  for (const entry of body.messages) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
    const { role, content, tool_calls: calls } = entry as { role?: unknown; content?: unknown; tool_calls?: unknown[] };
    if (role === 'assistant') {
      hasTurn ||= (calls?.length ?? 0) > 0;
      continue;
    }
    if (typeof content === 'string') {
      hasTurn ||= content.trim() !== '';
      continue;
    }
    if (!Array.isArray(content)) return false;
    for (const item of content) {
      if (typeof item !== 'object' || item === null || typeof (item as { text?: unknown }).text !== 'string')
        return false;
    }
    hasTurn ||=
      content
        .map((item) => (item as { text: string }).text)
        .join('\n')
        .trim() !== '';
  }
  return hasTurn;
}

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      timeout: REQUEST_TIMEOUT_MS,
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (text += piece));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.end(body);
  });
}

describe('limits fuzz (built gateway)', () => {
  it('answers every generated body 400 past a limit and 200 within, never 5xx, never hangs, stays small', async () => {
    const samples = fc.sample(hostileBody, { numRuns: 400, seed: 1207 });
    const statuses = new Map<number, number>();
    let overLimit = 0;
    /** Bodies that pass exactly one limit, by limit: each limit must be caught on its own. */
    const alone = new Map<string, number>();
    const queue = samples.slice();
    const worker = async () => {
      for (let body = queue.shift(); body !== undefined; body = queue.shift()) {
        const { status, text } = await post(JSON.stringify(body));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const context = `status ${status} for ${JSON.stringify(body).slice(0, 300)}: ${text.slice(0, 300)}`;
        const passed = limitsPassed(body);
        if (passed.length > 0) {
          overLimit += 1;
          if (passed.length === 1) alone.set(passed[0]!, (alone.get(passed[0]!) ?? 0) + 1);
          expect(status, context).toBe(400);
        } else if (runnable(body)) {
          expect(status, context).toBe(200);
          if (body.stream) expect(text.endsWith('data: [DONE]\n\n'), context).toBe(true);
        }
        expect(status, context).toBeLessThan(500);
        if (status === 400) {
          const error = (JSON.parse(text) as { error: { type: string; message: string } }).error;
          expect(error.type, context).toBe('invalid_request_error');
          expect(error.message.length, context).toBeGreaterThan(0);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const seen = JSON.stringify(Object.fromEntries(statuses));
    // The generator must really cover both sides of the limits.
    expect(overLimit, seen).toBeGreaterThan(100);
    expect(statuses.get(200) ?? 0, seen).toBeGreaterThan(60);
    for (const limit of [
      'maxJsonDepth',
      'maxJsonValues',
      'maxMessages',
      'maxTools',
      'maxContentParts',
      'maxToolCalls',
    ]) {
      expect(
        alone.get(limit) ?? 0,
        `bodies passing only ${limit}: ${JSON.stringify(Object.fromEntries(alone))}`,
      ).toBeGreaterThanOrEqual(5);
    }
    expect(residentMegabytes(gateway)).toBeLessThan(300);
  }, 180_000);
});
