/**
 * One turn's provider call with the agent's fallback models (docs/http-contract.md#model-fallbacks):
 * a model that fails before anything of the reply was passed on hands the turn to the next one; a
 * connection that could not be made is tried once more on the same model first. Nothing already sent
 * downstream can be taken back, so after the first piece a failure is the turn's.
 */
import { GatewayError, type UpstreamFailure } from '../errors.js';
import type { ProviderRequest, ProviderResult } from '../providers/model-provider.js';
import type { ResolvedModel } from '../providers/provider-registry.js';
import { sleep } from '../providers/sleep.js';
import type { TraceSpan } from '../tracing/tracing.js';
import type { ReplySink } from './reply-sink.js';
import { classifyUpstreamFailure, type UpstreamOutcome } from './run-observer.js';

/** A model the turn may be answered by: its `<provider>/<model id>` and the provider that serves it. */
export interface ModelCandidate {
  reference: string;
  model: ResolvedModel;
}

/** One failed attempt handed on to another, as reported to {@link StreamWithFallbacksOptions.onAttemptFailed}. */
export interface FailedAttempt {
  /** `<provider>/<model id>` that failed. */
  model: string;
  reason: UpstreamFailure;
  /** The status the failure maps to (502, 504, 429, …). */
  status: number;
  /** What is tried next: the same model again (a connect failure) or the next model. */
  next: { model: string; sameModel: boolean };
  /** The failed attempt's span, when tracing is on (so its log line leads to the trace). */
  traceId?: string;
  spanId?: string;
}

/** Options of {@link streamWithFallbacks}. */
export interface StreamWithFallbacksOptions {
  /** The models in order: the agent's model, then its fallbacks. */
  candidates: readonly ModelCandidate[];
  /** The request, without `model` (each candidate sends its own id). */
  request: Omit<ProviderRequest, 'model'>;
  /** Where the reply goes; `outputStarted()` says whether it has received anything yet. */
  sink: ReplySink;
  outputStarted: () => boolean;
  signal: AbortSignal;
  /** Pause before trying a model again after a connect failure, in ms. */
  retryDelayMs: () => number;
  /** Called for every failed attempt that another attempt follows (for logs and metrics); the last failure is the turn's. */
  onAttemptFailed?: (attempt: FailedAttempt) => void;
  /** Called as every attempt ends, with how and after how long (ms): for the turn's upstream time and metrics. */
  onAttemptEnded?: (candidate: ModelCandidate, outcome: UpstreamOutcome, durationMs: number) => void;
  /**
   * When tracing is on: the span each attempt's CLIENT span is a child of, and the reply passed on so
   * far (recorded only with `logging.includeContent`). @defaultValue none: no span
   */
  tracing?: { parent: TraceSpan; replyText: () => string } | undefined;
}

/**
 * Calls the candidates in order until one answers.
 *
 * @returns The answer and the reference of the model that gave it.
 * @throws The last failure (a `GatewayError`), or any failure after output started, an abort, or an
 *   error that no other model would fix (a 400 from the upstream, a reply over the cap).
 */
export async function streamWithFallbacks(
  options: StreamWithFallbacksOptions,
): Promise<{ result: ProviderResult; model: string }> {
  const { candidates, request, sink, signal, onAttemptEnded, tracing } = options;
  for (let index = 0; index < candidates.length; index += 1) {
    const candidate = candidates[index] as ModelCandidate;
    let retriedConnect = false;
    for (;;) {
      const started = performance.now();
      // One span per attempt, so a turn handed on shows each model it tried (docs/observability.md#traces).
      const span =
        tracing === undefined
          ? undefined
          : tracing.parent.startModelCall({
              operation: 'chat',
              providerId: candidate.model.provider.id,
              model: candidate.model.modelId,
              messages: request.messages,
            });
      try {
        const result = await candidate.model.provider.stream(
          { ...request, model: candidate.model.modelId },
          sink,
          span === undefined ? { signal } : { signal, traceHeaders: span.propagationHeaders },
        );
        onAttemptEnded?.(candidate, 'ok', performance.now() - started);
        if (span !== undefined && tracing !== undefined) {
          span.answered({
            responseModel: result.responseModel,
            inputTokens: result.usage.prompt_tokens,
            outputTokens: result.usage.completion_tokens,
            finishReason: result.finishReason,
            outputText: tracing.replyText(),
          });
        }
        return { result, model: candidate.reference };
      } catch (error) {
        if (onAttemptEnded !== undefined) {
          const context = { outputStarted: options.outputStarted(), aborted: signal.aborted };
          onAttemptEnded(candidate, classifyUpstreamFailure(error, context), performance.now() - started);
        }
        span?.end(classifyUpstreamFailure(error, { outputStarted: options.outputStarted(), aborted: signal.aborted }));
        const reason = GatewayError.isInstance(error) ? error.upstreamFailure : undefined;
        if (reason === undefined || signal.aborted || options.outputStarted()) throw error;
        const sameModel = reason === 'connect' && !retriedConnect;
        const nextModel = sameModel ? candidate : candidates[index + 1];
        if (nextModel === undefined) throw error;
        options.onAttemptFailed?.({
          model: candidate.reference,
          reason,
          status: (error as GatewayError).status,
          next: { model: nextModel.reference, sameModel },
          ...(span === undefined ? {} : { traceId: span.traceId, spanId: span.spanId }),
        });
        if (!sameModel) break;
        retriedConnect = true;
        await sleep(options.retryDelayMs(), signal);
      }
    }
  }
  // Unreachable with at least one candidate: the last one's failure was thrown above.
  throw new Error('no model to run the turn on');
}
