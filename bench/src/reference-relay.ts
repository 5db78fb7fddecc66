/**
 * The smallest honest translating relay: `node:http` in, undici `Pool` out, and every answer
 * parsed and rebuilt rather than piped, as a gateway must. No auth, no validation, no sessions, no
 * routing (the `model` goes upstream as the client sent it). Not a gateway: the yardstick for the
 * gateway's CPU per request, measured on the same core in the same run, so a gateway figure reads
 * as "n× what translating a request costs on this platform".
 *
 * - Client without `stream`: one JSON body from the upstream (`stream: false`), parsed, and a new
 *   `chat.completion` built from it.
 * - Client with `stream: true`: SSE from the upstream, decoded with `eventsource-parser` (the
 *   decoder `@clawgate/sse` uses), each frame `JSON.parse`d and re-encoded as a new
 *   `chat.completion.chunk` with the relay's own id/created/model, one `write` per frame, then
 *   `data: [DONE]`. The usage chunk goes downstream only when the client asked for it with
 *   `stream_options.include_usage`, as the API says.
 *
 * Child-process entry: `reference-relay.ts <upstream origin> <port>`; prints its URL when listening.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';

const [upstreamOrigin, portText] = process.argv.slice(2);
if (upstreamOrigin === undefined || portText === undefined) {
  process.stderr.write('usage: reference-relay <upstream origin> <port>\n');
  process.exit(2);
}
// No connection cap: a cap would queue requests past it, and a queued stream is not a relayed one.
const pool = new Pool(upstreamOrigin, { connections: null, keepAliveTimeout: 120_000 });

interface ClientRequestBody {
  model?: string;
  messages?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** The fields of an upstream choice the relay carries over; anything else is dropped. */
interface UpstreamChoice {
  index?: number;
  message?: { role?: string; content?: string | null };
  delta?: { role?: string; content?: string | null };
  finish_reason?: string | null;
}

interface UpstreamAnswer {
  choices?: UpstreamChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
}

const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let body: ClientRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ClientRequestBody;
    } catch {
      fail(response, 400, 'invalid JSON');
      return;
    }
    const relayed = body.stream === true ? relayStream(body, response) : relayCompletion(body, response);
    relayed.catch((error: unknown) => fail(response, 502, error instanceof Error ? error.message : 'upstream failed'));
  });
});

function fail(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}

function askUpstream(body: ClientRequestBody, stream: boolean) {
  return pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: body.model,
      messages: body.messages,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }),
  });
}

/** What every rebuilt object starts with: the relay's own identity, not the upstream's. */
function envelope(model: string | undefined, object: 'chat.completion' | 'chat.completion.chunk') {
  return { id: `chatcmpl_${randomUUID()}`, object, created: Math.floor(Date.now() / 1000), model: model ?? 'unknown' };
}

async function relayCompletion(body: ClientRequestBody, response: ServerResponse): Promise<void> {
  const upstream = await askUpstream(body, false);
  if (upstream.statusCode !== 200)
    throw new Error(`upstream answered ${upstream.statusCode}: ${await upstream.body.text()}`);
  const answer = (await upstream.body.json()) as UpstreamAnswer;
  const text = JSON.stringify({
    ...envelope(body.model, 'chat.completion'),
    choices: (answer.choices ?? []).map((choice, index) => ({
      index: choice.index ?? index,
      message: { role: 'assistant', content: choice.message?.content ?? '' },
      finish_reason: choice.finish_reason ?? 'stop',
    })),
    ...(answer.usage ? { usage: answer.usage } : {}),
  });
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function relayStream(body: ClientRequestBody, response: ServerResponse): Promise<void> {
  const upstream = await askUpstream(body, true);
  if (upstream.statusCode !== 200)
    throw new Error(`upstream answered ${upstream.statusCode}: ${await upstream.body.text()}`);
  const includeUsage = body.stream_options?.include_usage === true;
  // One identity for the whole stream, as OpenAI does: every chunk of an answer shares id and created.
  const identity = envelope(body.model, 'chat.completion.chunk');
  response.writeHead(200, sseHeaders);
  const parser = createParser({
    onEvent: (event) => {
      if (event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data) as UpstreamAnswer;
      const choices = (chunk.choices ?? []).map((choice, index) => ({
        index: choice.index ?? index,
        delta: {
          ...(choice.delta?.role === undefined ? {} : { role: choice.delta.role }),
          ...(choice.delta?.content === undefined ? {} : { content: choice.delta.content }),
        },
        finish_reason: choice.finish_reason ?? null,
      }));
      const usage = chunk.usage ?? undefined;
      if (choices.length === 0 && (usage === undefined || !includeUsage)) return;
      response.write(
        `data: ${JSON.stringify({ ...identity, choices, ...(usage && includeUsage ? { usage } : {}) })}\n\n`,
      );
    },
  });
  // undici's body yields Buffers whatever `setEncoding` says; the decoder keeps split UTF-8 sequences whole.
  const decoder = new TextDecoder();
  for await (const chunk of upstream.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
  parser.feed(decoder.decode());
  response.end('data: [DONE]\n\n');
}

server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${portText}\n`));
const stop = (): void => {
  server.closeAllConnections();
  server.close(() => void pool.close().then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// If the runner dies without signalling, stdin closes: never outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
