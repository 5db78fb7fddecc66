/**
 * A real OpenAI-compatible upstream on 127.0.0.1 for provider tests: each test scripts the response
 * with a handler; every request body and its close time are recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamRequestRecord {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Resolves with `Date.now()` when the upstream saw the request's connection close. */
  closed: Promise<number>;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>/v1`, for `models.providers.<id>.baseUrl`. */
  baseUrl: string;
  requests: UpstreamRequestRecord[];
  close(): Promise<void>;
}

export type UpstreamHandler = (request: UpstreamRequestRecord, response: http.ServerResponse) => void | Promise<void>;

/** Starts the upstream; `handler` answers every `POST /v1/chat/completions`. */
export async function startFakeUpstream(handler: UpstreamHandler): Promise<FakeUpstream> {
  const requests: UpstreamRequestRecord[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<number>((resolve) => response.on('close', () => resolve(Date.now())));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const record: UpstreamRequestRecord = {
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
        closed,
      };
      requests.push(record);
      void Promise.resolve(handler(record, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One upstream SSE chunk with the given delta. */
export function upstreamChunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-upstream',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

/** The usage the fixtures report unless told otherwise: 11 tokens in, 7 out. */
const DEFAULT_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

/** The usage chunk an upstream sends with `stream_options.include_usage`. */
export function upstreamUsageChunk(usage = DEFAULT_USAGE): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage })}\n\n`;
}

/** Writes SSE headers and the given frames, then `[DONE]`. */
export function writeUpstreamStream(response: http.ServerResponse, frames: string[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const frame of frames) {
    response.write(frame);
  }
  response.end('data: [DONE]\n\n');
}

/**
 * Answers `text` as the request asked: an SSE stream (the text, `stop`, the usage chunk) when
 * `stream`, else one JSON completion; the usage is {@link DEFAULT_USAGE} either way.
 */
export function writeUpstreamAnswer(response: http.ServerResponse, text: string, stream: boolean): void {
  if (stream) {
    writeUpstreamStream(response, [
      upstreamChunk({ role: 'assistant', content: text }),
      upstreamChunk({}, 'stop'),
      upstreamUsageChunk(),
    ]);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: 'chatcmpl-upstream',
      object: 'chat.completion',
      created: 1,
      model: 'up-model',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: DEFAULT_USAGE,
    }),
  );
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
