/** The pre-serialised requests of every phase, for the gateway and for the mock directly. */
import type { BenchRequest } from './load-generator.js';
import { BENCH_TOKEN } from './gateway-config.js';

const path = '/v1/chat/completions';
const messages = [{ role: 'user', content: 'Say hello in one short sentence.' }];

function build(model: string, token: string, extra: Record<string, unknown> = {}): BenchRequest {
  return {
    path,
    // The direct side carries the same headers so both sides send the same bytes, give or take the model.
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, ...extra }),
  };
}

/** Requests to the mock itself; the model id picks the mock's mode. */
export const directRequests = {
  complete: build('instant', BENCH_TOKEN),
  stream: build('instant', BENCH_TOKEN, { stream: true }),
  paced: build('paced', BENCH_TOKEN, { stream: true }),
  delayed: build('delay-20', BENCH_TOKEN),
};

/** Requests to the gateway; the model id picks the agent. */
export const gatewayRequests = {
  complete: build('openclaw', BENCH_TOKEN),
  stream: build('openclaw', BENCH_TOKEN, { stream: true }),
  paced: build('openclaw/paced', BENCH_TOKEN, { stream: true }),
  /** The answer after a 20 ms upstream delay: the setting of the Portkey figure in issue 8. */
  delayed: build('openclaw/delayed', BENCH_TOKEN),
  /** One stored session per worker: the worker index names the user. */
  withUser: (workerIndex: number): BenchRequest => build('openclaw', BENCH_TOKEN, { user: `bench-user-${workerIndex}` }),
  wrongToken: build('openclaw', 'wrong-token-for-the-failure-path'),
};
