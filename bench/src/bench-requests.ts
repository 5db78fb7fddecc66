/** The pre-serialised requests of every phase, for the gateway and for the mock directly. */
import type { BenchRequest } from './load-generator.js';
import { BENCH_TOKEN } from './gateway-config.js';

const path = '/v1/chat/completions';

/** Content deltas of the streamed CPU row's answer (mock mode `stream-20`, agent `stream20`). */
export const STREAMED_DELTA_COUNT = 20;
/** Deltas of the same reply cut finer (mock mode `split-100`, agent `split100`): the per-delta rows. */
export const SPLIT_DELTA_COUNT = 100;
/** The client asks for the usage chunk, so both relays must decode and re-encode it too. */
const streamedOptions = { stream: true, stream_options: { include_usage: true } };
const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];

function build(model: string, token: string, extra: Record<string, unknown> = {}): BenchRequest {
  return {
    path,
    // The direct side carries the same headers so both sides send the same bytes, give or take the model.
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, ...extra }),
  };
}

/**
 * Requests to the mock itself, and to the reference relay (which passes the model through); the
 * model id picks the mock's mode.
 */
export const directRequests = {
  complete: build('instant', BENCH_TOKEN),
  streamed: build(`stream-${STREAMED_DELTA_COUNT}`, BENCH_TOKEN, streamedOptions),
  split: build(`split-${SPLIT_DELTA_COUNT}`, BENCH_TOKEN, streamedOptions),
  stream: build('instant', BENCH_TOKEN, { stream: true }),
  paced: build('paced', BENCH_TOKEN, { stream: true }),
  delayed: build('delay-20', BENCH_TOKEN),
};

/** Requests to the gateway; the model id picks the agent. */
export const gatewayRequests = {
  complete: build('openclaw', BENCH_TOKEN),
  stream: build('openclaw', BENCH_TOKEN, { stream: true }),
  streamed: build(`openclaw/stream${STREAMED_DELTA_COUNT}`, BENCH_TOKEN, streamedOptions),
  paced: build('openclaw/paced', BENCH_TOKEN, { stream: true }),
  /** The answer after a 20 ms upstream delay: the setting of Portkey's published throughput figure. */
  delayed: build('openclaw/delayed', BENCH_TOKEN),
  /**
   * One stored session per worker: the worker index names the user. A shared store (Redis) needs a
   * prefix no other run uses, so a run neither meets old transcripts nor leaves its own behind.
   */
  withUser: (workerIndex: number, userPrefix = 'bench-user'): BenchRequest =>
    build('openclaw', BENCH_TOKEN, { user: `${userPrefix}-${workerIndex}` }),
  /** The streamed request with a stored session per worker: the HTTP door's side of the WebSocket turn. */
  streamedWithUser: (workerIndex: number, userPrefix: string): BenchRequest =>
    build(`openclaw/stream${STREAMED_DELTA_COUNT}`, BENCH_TOKEN, {
      ...streamedOptions,
      user: `${userPrefix}-${workerIndex}`,
    }),
  wrongToken: build('openclaw', 'wrong-token-for-the-failure-path'),
};

/**
 * The same turns over `POST /v1/responses` (docs/responses-api.md#request): the chat rows' user
 * message as one input item, the reply's text and usage as the response object or its events. With
 * `store: false`, like the chat rows' stateless requests, the turn is neither stored nor its id
 * remembered (docs/responses-api.md#sessions); without it every request would create a session.
 */
const responsesInput = messages.map((message) => ({ type: 'message', ...message }));

function buildResponses(model: string, extra: Record<string, unknown> = {}): BenchRequest {
  return {
    path: '/v1/responses',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, input: responsesInput, store: false, ...extra }),
  };
}

/** Requests to the Responses door; the model id picks the agent, as in {@link gatewayRequests}. */
export const responsesRequests = {
  /** The non-streaming turn of `gatewayRequests.complete` (agent `main`, the mock's instant answer). */
  complete: buildResponses('openclaw'),
  /** The streamed turn of `gatewayRequests.streamed` (agent `stream20`); usage is always in `response.completed`. */
  streamed: buildResponses(`openclaw/stream${STREAMED_DELTA_COUNT}`, { stream: true }),
};
