/**
 * A mock OpenAI chat-completions upstream for the benchmark.
 *
 * Every body is serialised once at start-up so the mock spends its time on sockets, not on JSON:
 * the point is to measure the gateway, and a mock that builds bodies per request would lower the
 * ceiling that every gateway figure is compared with.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Number of content deltas in every streamed answer, after its role chunk: the answer the stream targets assume. */
export const MOCK_DELTA_COUNT = 64;

/** Pause between two deltas of a paced stream. */
export const MOCK_PACE_MS = 20;

/** Options of {@link createMockUpstream}. */
export interface MockUpstreamOptions {
  /** Number of content deltas per streamed answer. @defaultValue 64 */
  deltaCount?: number;
  /** Milliseconds between deltas in `paced` mode. @defaultValue 20 */
  paceMs?: number;
}

/** A running mock upstream. */
export interface MockUpstream {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:40000/v1`. */
  readonly baseUrl: string;
  readonly server: Server;
  /** Closes the listener and every open socket. */
  close(): Promise<void>;
}

/** Pre-serialised bytes of one answer, in both wire shapes. */
interface SerialisedAnswers {
  json: Buffer;
  frames: Buffer[];
  wholeStream: Buffer;
}

const jsonHeaders = { 'content-type': 'application/json', 'content-length': '0' };
const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

/** The content pieces of an answer of `deltaCount` deltas: `tok0 `, `tok1 `, … */
const tokens = (deltaCount: number): string[] => Array.from({ length: deltaCount }, (_, index) => `tok${index} `);

/**
 * The whole text of an answer of `deltaCount` deltas (`instant` and `paced`: {@link MOCK_DELTA_COUNT};
 * `stream-<n>`: n), for answer checks that compare the text a server passed on.
 */
export const mockReplyText = (deltaCount: number): string => tokens(deltaCount).join('');

/** The usage every answer of `deltaCount` deltas reports, in the Chat Completions API's words. */
export const mockUsage = (
  deltaCount: number,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } => ({
  prompt_tokens: 12,
  completion_tokens: deltaCount,
  total_tokens: 12 + deltaCount,
});

/**
 * The text of the `stream-<of>` answer cut into `deltaCount` pieces of (nearly) equal length: the
 * same reply, hence the same stored transcript, in more deltas.
 */
function splitText(of: number, deltaCount: number): string[] {
  const text = tokens(of).join('');
  return Array.from({ length: deltaCount }, (_, index) =>
    text.slice(Math.floor((index * text.length) / deltaCount), Math.floor(((index + 1) * text.length) / deltaCount)),
  );
}

/** Builds the answer bodies once; ids and timestamps are fixed because nothing checks them. */
function serialiseAnswers(pieces: string[]): SerialisedAnswers {
  const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'mock' };
  const deltaCount = pieces.length;
  const usage = mockUsage(deltaCount);
  const frame = (value: unknown): Buffer => Buffer.from(`data: ${JSON.stringify(value)}\n\n`);
  const frames = [
    frame({ ...base, choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }),
    ...pieces.map((content) => frame({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    frame({ ...base, choices: [], usage }),
    Buffer.from('data: [DONE]\n\n'),
  ];
  const json = Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-mock',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'mock',
      choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
      usage,
    }),
  );
  return { json, frames, wholeStream: Buffer.concat(frames) };
}

/** Mode is chosen by the upstream model id, so one mock serves every agent of the gateway config. */
type MockMode =
  | { kind: 'instant' }
  | { kind: 'delay'; delayMs: number }
  | { kind: 'paced' }
  | { kind: 'short'; deltaCount: number }
  | { kind: 'split'; deltaCount: number };

const modelPattern = /"model"\s*:\s*"([^"]*)"/;
const streamPattern = /"stream"\s*:\s*true/;

/** Largest `stream-<n>`: enough for any per-frame measurement, small enough to serialise on demand. */
const MAX_SHORT_DELTAS = 1_000;

/** `split-<n>` cuts the text of the `stream-<SPLIT_OF>` answer (110 characters), so n is at most 110. */
export const SPLIT_OF = 20;
const MAX_SPLIT_DELTAS = tokens(SPLIT_OF).join('').length;

function parseMode(model: string | undefined): MockMode {
  if (model === 'paced') return { kind: 'paced' };
  const delay = model?.match(/^delay-(\d{1,6})$/);
  if (delay?.[1] !== undefined) return { kind: 'delay', delayMs: Number(delay[1]) };
  const short = model?.match(/^stream-(\d{1,4})$/);
  const deltaCount = Number(short?.[1]);
  if (deltaCount >= 1 && deltaCount <= MAX_SHORT_DELTAS) return { kind: 'short', deltaCount };
  const split = Number(model?.match(/^split-(\d{1,3})$/)?.[1]);
  if (split >= 1 && split <= MAX_SPLIT_DELTAS) return { kind: 'split', deltaCount: split };
  return { kind: 'instant' };
}

/**
 * Starts the mock on 127.0.0.1.
 *
 * Modes, picked by the request's `model`: `instant` (anything unknown), `delay-<ms>` (the same
 * answer after a fixed delay), `paced` (SSE: role chunk at once, then one delta every `paceMs`,
 * then finish, usage and `[DONE]`), `stream-<n>` (an answer of n deltas instead of
 * `deltaCount`, at once, no pacing: the per-frame CPU measurement) and `split-<n>` (the text of the
 * `stream-20` answer cut into n deltas, at once: the same reply in more frames, for the cost of one
 * more delta). `"stream": true` selects SSE, otherwise one JSON body.
 *
 * @param options - see {@link MockUpstreamOptions}
 * @param port - port to listen on; 0 picks a free one
 * @example
 * const mock = await createMockUpstream();
 * console.log(mock.baseUrl); // http://127.0.0.1:PORT/v1
 * await mock.close();
 */
export async function createMockUpstream(options: MockUpstreamOptions = {}, port = 0): Promise<MockUpstream> {
  const paceMs = options.paceMs ?? MOCK_PACE_MS;
  const answers = serialiseAnswers(tokens(options.deltaCount ?? MOCK_DELTA_COUNT));
  // `stream-<n>` and `split-<n>` answers are serialised on first use and kept: still no JSON work per request.
  const otherAnswers = new Map<string, SerialisedAnswers>();
  const answersFor = (mode: MockMode): SerialisedAnswers => {
    if (mode.kind !== 'short' && mode.kind !== 'split') return answers;
    const key = `${mode.kind}-${mode.deltaCount}`;
    let other = otherAnswers.get(key);
    if (other === undefined) {
      other = serialiseAnswers(mode.kind === 'short' ? tokens(mode.deltaCount) : splitText(SPLIT_OF, mode.deltaCount));
      otherAnswers.set(key, other);
    }
    return other;
  };

  const sendJson = (response: ServerResponse, chosen: SerialisedAnswers): void => {
    response.writeHead(200, { ...jsonHeaders, 'content-length': String(chosen.json.length) });
    response.end(chosen.json);
  };

  const sendPaced = (response: ServerResponse): void => {
    response.writeHead(200, sseHeaders);
    const [roleFrame, ...rest] = answers.frames;
    response.write(roleFrame);
    // The last three frames (finish, usage, [DONE]) follow the last delta at once, as real servers do.
    const tail = Buffer.concat(rest.slice(-3));
    const deltas = rest.slice(0, -3);
    let next = 0;
    const timer = setInterval(() => {
      const frame = deltas[next++];
      if (frame !== undefined) response.write(frame);
      if (next >= deltas.length) {
        clearInterval(timer);
        response.end(tail);
      }
    }, paceMs);
    response.once('close', () => clearInterval(timer));
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const mode = parseMode(body.match(modelPattern)?.[1]);
    const stream = streamPattern.test(body);
    const chosen = answersFor(mode);
    const send = (): void => {
      if (response.destroyed) return;
      if (!stream) {
        sendJson(response, chosen);
        return;
      }
      response.writeHead(200, sseHeaders);
      response.end(chosen.wholeStream);
    };
    if (mode.kind === 'paced') {
      if (stream) {
        sendPaced(response);
        return;
      }
      const timer = setTimeout(send, paceMs * answers.frames.length);
      response.once('close', () => clearTimeout(timer));
      return;
    }
    if (mode.kind === 'delay') {
      const timer = setTimeout(send, mode.delayMs);
      response.once('close', () => clearTimeout(timer));
      return;
    }
    send();
    void request;
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not Found');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  // Load generators and the gateway keep connections for the whole run; never drop them mid-phase.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', backlog: 8192 }, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
