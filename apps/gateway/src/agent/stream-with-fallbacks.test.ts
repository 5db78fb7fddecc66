import { describe, expect, it } from 'vitest';
import { GatewayError, type UpstreamFailure } from '../errors.js';
import type { ModelProvider, ProviderRequest } from '../providers/model-provider.js';
import { DISCARDING_REPLY_SINK } from './reply-sink.js';
import { type FailedAttempt, type ModelCandidate, streamWithFallbacks } from './stream-with-fallbacks.js';

const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };

function failure(reason: UpstreamFailure | undefined, status = 502): GatewayError {
  return new GatewayError('upstream provider error', { status, type: 'api_error', upstreamFailure: reason });
}

/** A provider that plays its script, one step per call: an error to throw, or `ok` to answer. */
function scripted(id: string, script: Array<GatewayError | 'ok' | 'text-then-fail'>) {
  const calls: string[] = [];
  const provider: ModelProvider = {
    id,
    async stream(request: ProviderRequest, sink) {
      calls.push(request.model);
      const step = script.shift() ?? 'ok';
      if (step === 'ok') return { usage, finishReason: 'stop' };
      if (step === 'text-then-fail') {
        sink.text('partial');
        throw failure('reset');
      }
      throw step;
    },
    close: async () => {},
  };
  return { provider, calls };
}

function candidate(reference: string, provider: ModelProvider): ModelCandidate {
  return { reference, model: { provider, modelId: reference.split('/')[1] as string } };
}

async function run(candidates: ModelCandidate[], outputStarted = () => false) {
  const attempts: FailedAttempt[] = [];
  const delays: number[] = [];
  const outcome = await streamWithFallbacks({
    candidates,
    request: { messages: [{ role: 'user', content: 'hi' }], parameters: {} },
    sink: DISCARDING_REPLY_SINK,
    outputStarted,
    signal: new AbortController().signal,
    retryDelayMs: () => {
      delays.push(1);
      return 1;
    },
    onAttemptFailed: (attempt) => attempts.push(attempt),
  }).catch((error: unknown) => ({ error }));
  return { outcome, attempts, delays };
}

describe('streamWithFallbacks', () => {
  it('answers with the first model when it works, without retrying anything', async () => {
    const first = scripted('a', ['ok']);
    const second = scripted('b', []);
    const { outcome, attempts } = await run([candidate('a/one', first.provider), candidate('b/two', second.provider)]);
    expect(outcome).toEqual({ result: { usage, finishReason: 'stop' }, model: 'a/one' });
    expect([first.calls, second.calls, attempts]).toEqual([['one'], [], []]);
  });

  it.each([
    ['server', 502],
    ['rate-limit', 429],
    ['timeout', 504],
    ['auth', 401],
    ['reset', 502],
  ] as const)('moves to the next model after a %s failure before any output', async (reason, status) => {
    const first = scripted('a', [failure(reason, status)]);
    const second = scripted('b', ['ok']);
    const { outcome, attempts } = await run([candidate('a/one', first.provider), candidate('b/two', second.provider)]);
    expect(outcome).toMatchObject({ model: 'b/two' });
    expect(attempts).toEqual([{ model: 'a/one', reason, status, next: { model: 'b/two', sameModel: false } }]);
  });

  it('tries a connect failure once more on the same model, after a pause, before moving on', async () => {
    const first = scripted('a', [failure('connect'), failure('connect')]);
    const second = scripted('b', ['ok']);
    const { outcome, attempts, delays } = await run([
      candidate('a/one', first.provider),
      candidate('b/two', second.provider),
    ]);
    expect(outcome).toMatchObject({ model: 'b/two' });
    expect(first.calls).toEqual(['one', 'one']);
    expect(delays).toEqual([1]);
    expect(attempts.map((attempt) => attempt.next)).toEqual([
      { model: 'a/one', sameModel: true },
      { model: 'b/two', sameModel: false },
    ]);
  });

  it('recovers on the same model when the second connect works', async () => {
    const only = scripted('a', [failure('connect'), 'ok']);
    const { outcome } = await run([candidate('a/one', only.provider)]);
    expect(outcome).toMatchObject({ model: 'a/one' });
  });

  it('throws the last failure when every model failed', async () => {
    const last = failure('server');
    const first = scripted('a', [failure('rate-limit', 429)]);
    const second = scripted('b', [last]);
    const { outcome, attempts } = await run([candidate('a/one', first.provider), candidate('b/two', second.provider)]);
    expect(outcome).toEqual({ error: last });
    // Only the handed-on attempt is reported: the last failure is the turn's own.
    expect(attempts.map((attempt) => attempt.model)).toEqual(['a/one']);
  });

  it('never moves on once output started, nor for a failure no other model would fix', async () => {
    const cut = scripted('a', ['text-then-fail']);
    const spare = scripted('b', ['ok']);
    let started = false;
    const { outcome } = await run([candidate('a/one', cut.provider), candidate('b/two', spare.provider)], () => {
      started = true;
      return started;
    });
    expect(outcome).toMatchObject({ error: { upstreamFailure: 'reset' } });
    const refused = failure(undefined, 400);
    const rejecting = scripted('a', [refused]);
    expect((await run([candidate('a/one', rejecting.provider), candidate('b/two', spare.provider)])).outcome).toEqual({
      error: refused,
    });
    expect(spare.calls).toEqual([]);
  });
});
