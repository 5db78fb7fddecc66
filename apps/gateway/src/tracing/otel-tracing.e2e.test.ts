/**
 * Traces end to end (docs/observability.md#traces): an in-process gateway exports to an OTLP/HTTP
 * receiver on loopback and calls a fake upstream on loopback. Each test stops its gateway, which
 * flushes the batch of spans, before reading what the receiver got: no waiting on timers.
 */
import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeUpstream, startFakeUpstream, writeUpstreamAnswer } from '../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../__fixtures__/otlp-receiver.js';
import type { HttpLogger } from '../http/http-logger.js';
import { agentTurn } from '../ws/__fixtures__/door-turns.js';
import { connectClient, wsUrl } from '../ws/__fixtures__/protocol-client.js';

vi.setConfig({ testTimeout: 20_000 });

/** The W3C Trace Context example: a client's trace and the span the gateway is called from. */
const CLIENT_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN_ID = 'b7ad6b7169203331';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`;
const PROMPT = 'the prompt text that must stay private';
const REPLY = 'the reply text that must stay private';
const SESSION_KEY = 'tracing-session-key';
/** OTLP span kinds and status codes. */
const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

const start = useInProcessGateways();
let receiver: OtlpReceiver;
let upstream: FakeUpstream;
/** How the upstream answers `primary-model`; `fallback-model` always answers. */
let primaryMode: 'ok' | '500' = 'ok';

/** The upstream's answer: SSE when asked to stream, else one JSON completion; usage 11 in, 7 out. */
function answer(body: Record<string, unknown>, response: http.ServerResponse): void {
  if (body.model === 'primary-model' && primaryMode === '500') {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: 'upstream exploded' } }));
    return;
  }
  writeUpstreamAnswer(response, REPLY, body.stream === true);
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  upstream = await startFakeUpstream((record, response) => answer(record.body, response));
});
afterAll(async () => {
  await receiver.close();
  await upstream.close();
});
beforeEach(() => {
  receiver.spans.length = 0;
  upstream.requests.length = 0;
  primaryMode = 'ok';
});

/** A gateway tracing to the receiver, agent `main` on `up/primary-model`; its log lines are kept. */
async function tracedGateway(options: { includeContent?: boolean; fallbacks?: string[] } = {}) {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const keep =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, message, fields });
    };
  const logger: HttpLogger = { error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug') };
  const gateway = await start(
    {
      models: { providers: { up: { baseUrl: upstream.baseUrl } } },
      agents: {
        defaults: { model: { primary: 'up/primary-model', fallbacks: options.fallbacks ?? [] } },
      },
      logging: { includeContent: options.includeContent ?? false },
      telemetry: { otlp: { endpoint: receiver.endpoint, serviceName: 'clawgate-under-test' } },
    },
    { logger },
  );
  return { ...gateway, lines };
}

/** Sends one chat completion on the stored session, with the client's `traceparent`. */
async function chat(url: string, options: { stream: boolean }): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`,
      'content-type': 'application/json',
      'x-openclaw-session-key': SESSION_KEY,
      traceparent: CLIENT_TRACEPARENT,
    },
    body: JSON.stringify({ model: 'openclaw', stream: options.stream, messages: [{ role: 'user', content: PROMPT }] }),
  });
  return { status: response.status, text: await response.text() };
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const matching = spans.filter((span) => span.name === name);
  expect(matching, `spans named ${name}`).toHaveLength(1);
  return matching[0] as ReceivedSpan;
}

/** The request span and its children, checked for the shape every traced chat completion has. */
function requestTree(): { request: ReceivedSpan; children: ReceivedSpan[] } {
  const request = only(receiver.spans, 'POST /v1/chat/completions');
  expect(request).toMatchObject({
    traceId: CLIENT_TRACE_ID,
    parentSpanId: CLIENT_SPAN_ID,
    kind: SERVER,
    serviceName: 'clawgate-under-test',
  });
  // Every span of the request is in the client's trace, directly beneath the request's span.
  const children = receiver.spans.filter((span) => span !== request);
  for (const child of children) expect(child).toMatchObject({ traceId: CLIENT_TRACE_ID, parentSpanId: request.spanId });
  return { request, children };
}

describe('traces of a chat completion', () => {
  it('continue the client trace: request span, auth, session, upstream call and the traceparent sent upstream', async () => {
    const gateway = await tracedGateway();
    expect(await chat(gateway.url, { stream: false })).toMatchObject({ status: 200 });
    await gateway.stop();

    const { request, children } = requestTree();
    expect(request.attributes).toEqual({
      'http.request.method': 'POST',
      'url.path': '/v1/chat/completions',
      'url.scheme': 'http',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'clawgate.agent.id': 'main',
    });
    expect(request.status).toEqual({ code: STATUS_UNSET });
    expect(children.map((span) => span.name).sort()).toEqual([
      'auth',
      'chat primary-model',
      'session.append',
      'session.load',
      'session.lock',
    ]);
    for (const name of ['auth', 'session.lock', 'session.load', 'session.append']) {
      expect(only(children, name)).toMatchObject({ kind: INTERNAL, status: { code: STATUS_UNSET } });
    }
    const upstreamCall = only(children, 'chat primary-model');
    const port = Number(new URL(upstream.baseUrl).port);
    expect(upstreamCall.kind).toBe(CLIENT);
    expect(upstreamCall.status).toEqual({ code: STATUS_UNSET });
    expect(upstreamCall.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'up',
      'gen_ai.system': 'up',
      'gen_ai.request.model': 'primary-model',
      'gen_ai.response.model': 'up-model',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': '127.0.0.1',
      'server.port': port,
    });
    // The upstream is called from the upstream call's span, in the client's trace.
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers.traceparent).toBe(`00-${CLIENT_TRACE_ID}-${upstreamCall.spanId}-01`);

    // The request's log line leads to its trace.
    const requestLine = gateway.lines.find((line) => line.message === 'request completed');
    expect(requestLine?.fields).toMatchObject({ traceId: CLIENT_TRACE_ID, spanId: request.spanId, status: 200 });
  });

  it('trace a streamed answer the same way, with the usage and finish reason of the stream', async () => {
    const gateway = await tracedGateway();
    const answered = await chat(gateway.url, { stream: true });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('data: [DONE]');
    await gateway.stop();

    const { request, children } = requestTree();
    expect(request.attributes['http.response.status_code']).toBe(200);
    expect(children.map((span) => span.name).sort()).toEqual([
      'auth',
      'chat primary-model',
      'session.append',
      'session.load',
      'session.lock',
    ]);
    const upstreamCall = only(children, 'chat primary-model');
    expect(upstreamCall.attributes).toMatchObject({
      'gen_ai.response.model': 'up-model',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(upstream.requests[0]?.body.stream).toBe(true);
    expect(upstream.requests[0]?.headers.traceparent).toBe(`00-${CLIENT_TRACE_ID}-${upstreamCall.spanId}-01`);
  });

  it('mark an upstream 500 as an error on the upstream call and on the request', async () => {
    primaryMode = '500';
    const gateway = await tracedGateway();
    expect(await chat(gateway.url, { stream: false })).toMatchObject({ status: 502 });
    await gateway.stop();

    const { request, children } = requestTree();
    expect(request.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': 'api_error' });
    expect(request.status).toEqual({ code: STATUS_ERROR, message: 'api_error' });
    const upstreamCall = only(children, 'chat primary-model');
    expect(upstreamCall.status).toEqual({ code: STATUS_ERROR, message: '5xx' });
    expect(upstreamCall.attributes['error.type']).toBe('5xx');
    expect(upstreamCall.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');
    // The turn failed before its transcript was written: no append span.
    expect(children.map((span) => span.name).sort()).toEqual([
      'auth',
      'chat primary-model',
      'session.load',
      'session.lock',
    ]);
  });

  it('show each model attempt of a turn handed on to a fallback, the failed one as an error', async () => {
    primaryMode = '500';
    const gateway = await tracedGateway({ fallbacks: ['up/fallback-model'] });
    expect(await chat(gateway.url, { stream: false })).toMatchObject({ status: 200 });
    await gateway.stop();

    const { request, children } = requestTree();
    expect(request.status).toEqual({ code: STATUS_UNSET });
    const failed = only(children, 'chat primary-model');
    const answeredBy = only(children, 'chat fallback-model');
    expect(failed.status).toEqual({ code: STATUS_ERROR, message: '5xx' });
    expect(answeredBy.status).toEqual({ code: STATUS_UNSET });
    expect(answeredBy.attributes['gen_ai.request.model']).toBe('fallback-model');
    // Each attempt's request upstream carried its own span as the parent.
    expect(upstream.requests.map((record) => record.headers.traceparent)).toEqual([
      `00-${CLIENT_TRACE_ID}-${failed.spanId}-01`,
      `00-${CLIENT_TRACE_ID}-${answeredBy.spanId}-01`,
    ]);
    // The attempt's warning line leads to its span.
    const warning = gateway.lines.find((line) => line.message === 'model attempt failed');
    expect(warning?.fields).toMatchObject({ traceId: CLIENT_TRACE_ID, spanId: failed.spanId });
  });

  it('carry no message content, session key or token by default', async () => {
    const gateway = await tracedGateway();
    expect(await chat(gateway.url, { stream: false })).toMatchObject({ status: 200 });
    await gateway.stop();

    expect(receiver.spans).toHaveLength(6);
    const exported = JSON.stringify(receiver.spans);
    for (const secret of [PROMPT, REPLY, SESSION_KEY, IN_PROCESS_GATEWAY_TOKEN]) expect(exported).not.toContain(secret);
    for (const span of receiver.spans) {
      expect(Object.keys(span.attributes).filter((key) => key.includes('messages'))).toEqual([]);
    }
  });

  it('put the messages and the reply on the upstream call with logging.includeContent', async () => {
    const gateway = await tracedGateway({ includeContent: true });
    expect(await chat(gateway.url, { stream: true })).toMatchObject({ status: 200 });
    await gateway.stop();

    const upstreamCall = only(receiver.spans, 'chat primary-model');
    expect(JSON.parse(String(upstreamCall.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
    ]);
    expect(JSON.parse(String(upstreamCall.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: REPLY }], finish_reason: 'stop' },
    ]);
    // Content goes on the upstream call only.
    const elsewhere = receiver.spans.filter((span) => span !== upstreamCall);
    expect(JSON.stringify(elsewhere)).not.toContain(PROMPT);
  });
});

describe('a trace without a client traceparent', () => {
  it('starts a new trace at the request span', async () => {
    const gateway = await tracedGateway();
    const response = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}` },
    });
    expect(response.status).toBe(200);
    await gateway.stop();

    const request = only(receiver.spans, 'GET /v1/models');
    expect(request.parentSpanId).toBe('');
    expect(request.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(request.traceId).not.toBe(CLIENT_TRACE_ID);
    expect(only(receiver.spans, 'auth').parentSpanId).toBe(request.spanId);
  });
});

describe('a WebSocket turn', () => {
  it('is a span of its own, with the spans of its run beneath it', async () => {
    const gateway = await tracedGateway();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    const turn = await agentTurn(client, 'run-traced-1', SESSION_KEY, PROMPT);
    expect(turn.final.payload?.status).toBe('ok');
    client.close();
    await gateway.stop();

    const root = only(receiver.spans, 'agent');
    expect(root).toMatchObject({
      parentSpanId: '',
      kind: SERVER,
      status: { code: STATUS_UNSET },
      attributes: { 'rpc.system': 'openclaw-gateway', 'rpc.method': 'agent' },
    });
    const children = receiver.spans.filter((span) => span !== root);
    expect(children.map((span) => span.name).sort()).toEqual([
      'chat primary-model',
      'session.append',
      'session.load',
      'session.lock',
    ]);
    for (const child of children) expect(child).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId });
    expect(upstream.requests[0]?.headers.traceparent).toBe(
      `00-${root.traceId}-${only(children, 'chat primary-model').spanId}-01`,
    );
  });
});
