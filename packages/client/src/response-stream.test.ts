import { afterEach, describe, expect, it } from 'vitest';
import type { ResponsesStreamEvent } from '@clawgate/openai-schemas';
import { AbortError, ClawgateError, ConnectionError, InternalServerError, RateLimitError } from './clawgate-error.js';
import { createClient } from './create-client.js';
import {
  encodeEvents,
  failedEvent,
  functionCallItem,
  functionCallResponseEvents,
  messageItem,
  responseObject,
  textItemEvents,
  textResponseEvents,
  type WireEvent,
} from './__fixtures__/responses-wire.js';
import { startEventStream, startLoopbackServer, type LoopbackServer } from './__fixtures__/loopback-server.js';
import { readToEnd } from './__fixtures__/read-to-end.js';

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that streams `events` (numbered from 0) and then `data: [DONE]`. */
async function serveEvents(events: WireEvent[]): Promise<LoopbackServer> {
  return startLoopbackServer((_request, response) => {
    startEventStream(response);
    response.write(': ping\n\n');
    response.end(`${encodeEvents(events)}data: [DONE]\n\n`);
  });
}

async function openStream(url: string) {
  return createClient({ baseURL: url }).responses.create({ model: 'openclaw', input: 'hi', stream: true });
}

describe('ResponseStream', () => {
  it('yields a streamed text answer as typed events in order, and finalResponse() gives the completed response', async () => {
    server = await serveEvents(textResponseEvents(['Hel', 'lo ', 'there']));
    const stream = await openStream(server.url);
    expect(stream.requestId).toBe('req-sse');
    const seen: ResponsesStreamEvent[] = [];
    expect(await readToEnd(stream, seen)).toBeUndefined();
    expect(seen.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(seen.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const deltas = seen.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas).toEqual(['Hel', 'lo ', 'there']);
    const done = seen.find((event) => event.type === 'response.output_text.done');
    expect(done?.type === 'response.output_text.done' && done.text).toBe('Hello there');
    const final = await stream.finalResponse();
    expect(final).toEqual({ ...responseObject({ output: [messageItem('Hello there')] }), output_text: 'Hello there' });
    expect(final.usage).toEqual({ input_tokens: 3, output_tokens: 2, total_tokens: 5 });
    expect(await stream.toText()).toBe('Hello there');
    expect(() => stream[Symbol.asyncIterator]()).toThrow('A ResponseStream can be iterated only once');
  });

  it('yields a streamed function call: item added, argument deltas, arguments done, item done', async () => {
    server = await serveEvents(functionCallResponseEvents('get_weather', ['{"city":', '"Oslo"}']));
    const stream = await openStream(server.url);
    const seen: ResponsesStreamEvent[] = [];
    expect(await readToEnd(stream, seen)).toBeUndefined();
    expect(seen.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = seen[2];
    expect(added?.type === 'response.output_item.added' && added.item).toMatchObject({
      type: 'function_call',
      call_id: 'call_test',
      name: 'get_weather',
    });
    const argumentDeltas = seen.flatMap((event) =>
      event.type === 'response.function_call_arguments.delta' ? [event.delta] : [],
    );
    expect(argumentDeltas).toEqual(['{"city":', '"Oslo"}']);
    const argumentsDone = seen[5];
    expect(argumentsDone?.type === 'response.function_call_arguments.done' && argumentsDone.arguments).toBe(
      '{"city":"Oslo"}',
    );
    const final = await stream.finalResponse();
    expect(final.output).toEqual([functionCallItem('get_weather', '{"city":"Oslo"}')]);
    expect(final.output_text).toBe('');
  });

  it('finalResponse() reads a fresh stream to the end, and finishes one a loop left early', async () => {
    server = await serveEvents(textResponseEvents(['only ', 'text']));
    const fresh = await openStream(server.url);
    expect((await fresh.finalResponse()).output_text).toBe('only text');

    const partlyRead = await openStream(server.url);
    const iterator = partlyRead[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).toBe('response.created');
    expect((await partlyRead.finalResponse()).output_text).toBe('only text');
  });

  it('resolves finalResponse() with a response.incomplete response (status says why)', async () => {
    const incomplete = responseObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [messageItem('cut')],
    });
    server = await serveEvents([...textItemEvents(['cut']), { type: 'response.incomplete', response: incomplete }]);
    const final = await (await openStream(server.url)).finalResponse();
    expect([final.status, final.output_text]).toEqual(['incomplete', 'cut']);
  });

  it('skips events of an unknown type (they still count in the sequence)', async () => {
    const events = textResponseEvents(['a']);
    events.splice(2, 0, { type: 'response.reasoning_summary_text.delta', delta: 'thinking' });
    server = await serveEvents(events);
    const seen: ResponsesStreamEvent[] = [];
    expect(await readToEnd(await openStream(server.url), seen)).toBeUndefined();
    expect(seen).toHaveLength(events.length - 1);
    expect(seen.at(-1)?.sequence_number).toBe(events.length - 1);
  });
});

describe('ResponseStream failures', () => {
  it('a response.failed event throws InternalServerError with its message after the events before it', async () => {
    server = await serveEvents([...textItemEvents(['partial ']).slice(0, 5), failedEvent('upstream provider error')]);
    const stream = await openStream(server.url);
    const seen: ResponsesStreamEvent[] = [];
    const error = await readToEnd(stream, seen);
    expect(seen.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(InternalServerError.isInstance(error)).toBe(true);
    const typed = error as InternalServerError;
    expect([typed.message, typed.code, typed.status, typed.requestId]).toEqual([
      'upstream provider error',
      'api_error',
      undefined,
      'req-sse',
    ]);
    // The helpers report the same failure instead of a truncated answer.
    await expect(stream.finalResponse()).rejects.toBe(error);
    await expect(stream.toText()).rejects.toBe(error);
  });

  it.each([
    ['rate_limit_error', RateLimitError],
    ['session_busy', RateLimitError],
    ['rate_limit_exceeded', RateLimitError],
    ['some_new_code', InternalServerError],
  ] as const)('a response.failed with code %s throws the matching class', async (code, ErrorClass) => {
    server = await serveEvents([...textItemEvents([]).slice(0, 2), failedEvent('no luck', code)]);
    const error = await (await openStream(server.url)).finalResponse().catch((caught: unknown) => caught);
    expect(ErrorClass.isInstance(error)).toBe(true);
    expect([(error as ClawgateError).message, (error as ClawgateError).code]).toEqual(['no luck', code]);
  });

  it('an error event throws like response.failed', async () => {
    server = await serveEvents([
      ...textItemEvents([]).slice(0, 2),
      { type: 'error', code: 'api_error', message: 'stream broke' },
    ]);
    const error = await (await openStream(server.url)).finalResponse().catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error) && [error.message, error.code]).toEqual(['stream broke', 'api_error']);
  });

  it('a stream that ends without response.completed throws ConnectionError', async () => {
    server = await serveEvents(textItemEvents(['cut ', 'short']));
    const stream = await openStream(server.url);
    const seen: ResponsesStreamEvent[] = [];
    const error = await readToEnd(stream, seen);
    expect(seen).toHaveLength(textItemEvents(['cut ', 'short']).length);
    expect(ConnectionError.isInstance(error) && error.message).toBe(
      'The stream ended before the server finished the response',
    );
    await expect(stream.finalResponse()).rejects.toBe(error);
  });

  it('a connection cut mid-stream throws ConnectionError and is never retried', async () => {
    let cut = (): void => undefined;
    server = await startLoopbackServer((request, response) => {
      startEventStream(response);
      cut = () => request.socket.destroy();
      response.write(encodeEvents(textItemEvents(['first']).slice(0, 5)));
    });
    const stream = await createClient({ baseURL: server.url, maxRetries: 5 }).responses.create({
      model: 'openclaw',
      input: 'hi',
      stream: true,
    });
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const event of stream) {
        if (event.type !== 'response.output_text.delta') continue;
        deltas.push(event.delta);
        // The server cuts the connection once the client holds the first delta.
        cut();
      }
    })().catch((caught: unknown) => caught);
    expect(deltas).toEqual(['first']);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['a skipped number', [0, 1, 3], 'response.output_item.added has sequence_number 3 where 2 was expected'],
    ['a repeated number', [0, 0], 'response.in_progress has sequence_number 0 where 1 was expected'],
    ['a first event that is not 0', [1], 'response.created has sequence_number 1 where 0 was expected'],
  ])('%s throws invalid_response', async (_name, numbers, message) => {
    const events = textResponseEvents(['x']);
    server = await startLoopbackServer((_request, response) => {
      startEventStream(response);
      const frames = numbers.map((sequenceNumber, index) => {
        const event = events[index] as WireEvent;
        return `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequenceNumber })}\n\n`;
      });
      response.end(`${frames.join('')}data: [DONE]\n\n`);
    });
    const error = await (await openStream(server.url)).finalResponse().catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.name, error.type, error.message]).toEqual([
      'ClawgateError',
      'invalid_response',
      `The stream sent an invalid event: ${message}`,
    ]);
  });

  it('an event that does not match its schema, or is not JSON, throws invalid_response', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      startEventStream(response);
      const bad =
        index === 0
          ? encodeEvents([{ type: 'response.created', response: { id: 'resp_test' } }])
          : 'data: {not json\n\n';
      response.end(`${bad}data: [DONE]\n\n`);
    });
    const mismatch = await (await openStream(server.url)).finalResponse().catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(mismatch) && mismatch.type).toBe('invalid_response');
    expect((mismatch as Error).message).toMatch(/^The stream sent an invalid event: response\.created: response\./);
    const notJson = await (await openStream(server.url)).finalResponse().catch((caught: unknown) => caught);
    expect((notJson as Error).message).toMatch(/^The stream sent an invalid event: SSE event data is not valid JSON/);
  });

  it('throws the HTTP error before a stream starts, and refuses a JSON answer to a stream request', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      response.writeHead(index === 0 ? 400 : 200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        index === 0
          ? JSON.stringify({ error: { message: 'Missing `input`.', type: 'invalid_request_error' } })
          : JSON.stringify(responseObject()),
      );
    });
    await expect(openStream(server.url)).rejects.toMatchObject({
      name: 'BadRequestError',
      status: 400,
      message: 'Missing `input`.',
    });
    const error = await openStream(server.url).catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.message, error.type]).toEqual([
      'Expected an event stream but the server answered with application/json; charset=utf-8',
      'invalid_response',
    ]);
  });
});

describe('ResponseStream cancellation', () => {
  it('break cancels the HTTP body so the server sees the client leave', async () => {
    server = await startLoopbackServer((_request, response) => {
      startEventStream(response);
      // Everything but the terminal event: the stream stays open until the client leaves.
      response.write(encodeEvents(textItemEvents(['a', 'b', 'c'])));
    });
    const stream = await openStream(server.url);
    let count = 0;
    for await (const event of stream) {
      count += 1;
      if (event.type === 'response.output_text.delta') break;
    }
    await server.closed(0);
    expect(count).toBe(5);
    await expect(stream.finalResponse()).rejects.toThrow('The stream was cancelled before it finished');
  });

  it('abort() mid-stream and a fired signal both throw AbortError and close the connection', async () => {
    server = await startLoopbackServer((_request, response) => {
      startEventStream(response);
      response.write(encodeEvents(textItemEvents(['a']).slice(0, 1)));
    });
    const stream = await openStream(server.url);
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).toBe('response.created');
    const pending = iterator.next();
    stream.abort();
    expect(AbortError.isInstance(await pending.catch((caught: unknown) => caught))).toBe(true);
    await server.closed(0);

    const controller = new AbortController();
    const signalled = await createClient({ baseURL: server.url }).responses.create(
      { model: 'openclaw', input: 'hi', stream: true },
      { signal: controller.signal },
    );
    const signalledIterator = signalled[Symbol.asyncIterator]();
    expect((await signalledIterator.next()).value?.type).toBe('response.created');
    const waiting = signalledIterator.next();
    controller.abort();
    const error = await waiting.catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error) && error.message).toBe('Request was aborted');
    await server.closed(1);
  });
});
