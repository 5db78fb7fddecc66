/**
 * The agent run (docs/http-contract.md#5-the-run): request checks in `prepare`, then `run`
 * serialises on the session key, loads the transcript, passes the provider's output on to the
 * transport's sink as it arrives and stores the completed turn.
 */
import { splitProviderModel } from '@clawgate/session-key';
import type { GatewayConfig } from '../config/config-schema.js';
import { resolveAgentSettings, type AgentSettings } from '../config/resolve-agent-settings.js';
import { GatewayError, internalError, invalidRequest } from '../errors.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { SessionStore, TranscriptMessage } from '../sessions/session-store.js';
import type { TraceSpan } from '../tracing/tracing.js';
import type { AgentRunInput, AgentRunner, PreparedRun, RunOptions, RunOutcome, ToolCall } from './agent-runner.js';
import { assertPublicImageUrl } from './assert-public-image-url.js';
import { buildPrompt, type BuiltPrompt } from './build-prompt.js';
import { composeProviderMessages } from './compose-provider-messages.js';
import type { ReplySink } from './reply-sink.js';
import { resolveRunModel } from './resolve-run-model.js';
import type { ObservedTurn, RunObserver, TurnTimings } from './run-observer.js';
import { createSessionTurnGate, SESSION_BUSY_CODE } from './session-turn-gate.js';
import { type FailedAttempt, type ModelCandidate, streamWithFallbacks } from './stream-with-fallbacks.js';

/** The reply when a model produced neither text nor tool calls (OpenClaw's wording). */
export const EMPTY_RESPONSE_TEXT = 'No response from OpenClaw.';

/** Options of {@link createAgentRunner}. */
export interface CreateAgentRunnerOptions {
  config: GatewayConfig;
  sessionStore: SessionStore;
  providers: ProviderRegistry;
  /** Clock for transcript timestamps. @defaultValue `Date.now` */
  now?: () => number;
  /**
   * Told of every model attempt that failed and was handed on (docs/http-contract.md#model-fallbacks):
   * for the log and metrics. @defaultValue nothing
   */
  onModelAttemptFailed?: (attempt: FailedAttempt & { agentId: string }) => void;
  /** Pause before a model is tried again after a connect failure, in ms. @defaultValue 100–300, random */
  retryDelayMs?: () => number;
  /** Told how each turn goes: runs, session waits, upstream calls, tokens (docs/observability.md#metrics). */
  observer?: RunObserver;
}

/** What `prepare` computed, kept out of the transports' sight. */
interface PreparedState {
  settings: AgentSettings;
  modelReference: string;
  /** The model, then its fallbacks (none for a model the client picked with `x-openclaw-model`). */
  candidates: ModelCandidate[];
  prompt: BuiltPrompt;
  verified: boolean;
}

/**
 * Creates the runner every transport (HTTP, CLI) shares.
 *
 * @throws ConfigError (from the registry) never here: model references are checked when the
 *   registry is built.
 * @example
 * const runner = createAgentRunner({ config, sessionStore, providers });
 * const prepared = runner.prepare(input); // 400s happen here
 * const outcome = await runner.run(prepared, sink, { signal }); // pieces reach `sink` as they arrive
 */
export function createAgentRunner(options: CreateAgentRunnerOptions): AgentRunner {
  const { config, sessionStore, providers } = options;
  const { maxQueuedTurns, queueTimeoutMs } = config.sessions;
  const sessionTurns = createSessionTurnGate({ store: sessionStore, maxQueuedTurns, queueTimeoutMs });
  const now = options.now ?? Date.now;
  const { onModelAttemptFailed, observer } = options;
  const retryDelayMs = options.retryDelayMs ?? (() => 100 + Math.floor(Math.random() * 200));
  const states = new WeakMap<PreparedRun, PreparedState>();
  const imagePolicy = config.gateway.http.endpoints.chatCompletions.images;
  // The configuration never changes while the runner lives: merge each agent's settings once.
  const settingsByAgent = new Map<string, AgentSettings | undefined>();
  const settingsOf = (agentId: string): AgentSettings | undefined => {
    if (!settingsByAgent.has(agentId)) settingsByAgent.set(agentId, resolveAgentSettings(config, agentId));
    return settingsByAgent.get(agentId);
  };

  function prepare(input: AgentRunInput): PreparedRun {
    const settings = settingsOf(input.agentId);
    if (!settings) throw invalidRequest(`Unknown agent '${input.agentId}'.`);
    const modelReference = resolveRunModel(settings, input.modelOverride);
    // An allow-listed model on a provider that does not exist is as unusable as a forbidden one.
    const providerId = splitProviderModel(modelReference)?.provider;
    if (providerId === undefined || !providers.get(providerId)) {
      throw invalidRequest(
        `Model '${input.modelOverride?.trim() ?? modelReference}' is not allowed for agent '${settings.id}'.`,
      );
    }
    const prompt = buildPrompt(input.messages, imagePolicy);
    const prepared: PreparedRun = { input, timings: { upstreamMs: 0, firstPieceAt: undefined } };
    states.set(prepared, {
      settings,
      modelReference,
      // An explicit `x-openclaw-model` is the client's choice: no other model answers for it.
      candidates: (input.modelOverride === undefined ? [modelReference, ...settings.fallbacks] : [modelReference]).map(
        (reference) => ({ reference, model: providers.resolve(reference) }),
      ),
      prompt,
      verified: prompt.images.every((image) => image.kind !== 'remote'),
    });
    return prepared;
  }

  async function verify(prepared: PreparedRun): Promise<void> {
    const state = stateOf(prepared);
    for (const image of state.prompt.images) {
      if (image.kind === 'remote') await assertPublicImageUrl(image.url);
    }
    state.verified = true;
  }

  function stateOf(prepared: PreparedRun): PreparedState {
    let state = states.get(prepared);
    if (!state) {
      // A hand-made PreparedRun (not from our prepare): run the checks now.
      const fresh = prepare(prepared.input);
      state = states.get(fresh);
      if (!state) throw internalError();
      states.set(prepared, state);
    }
    return state;
  }

  async function run(prepared: PreparedRun, sink: ReplySink, { signal, trace }: RunOptions): Promise<RunOutcome> {
    if (observer === undefined) return runTurn(prepared, sink, signal, trace);
    const turn: ObservedTurn = { agentId: prepared.input.agentId, stream: prepared.input.stream !== false };
    observer.turnStarted(turn);
    try {
      return await runTurn(prepared, sink, signal, trace);
    } finally {
      observer.turnEnded(turn);
    }
  }

  async function runTurn(
    prepared: PreparedRun,
    sink: ReplySink,
    signal: AbortSignal,
    trace: TraceSpan | undefined,
  ): Promise<RunOutcome> {
    let release: (() => void) | undefined;
    // With tracing on, the session step under way (lock, load, append): a failure there ends it too.
    let sessionSpan: TraceSpan | undefined;
    const timings: TurnTimings = prepared.timings ?? { upstreamMs: 0, firstPieceAt: undefined };
    try {
      const state = stateOf(prepared);
      if (!state.verified) await verify(prepared);
      const { input } = prepared;
      const persist = input.sessionKind !== 'ephemeral' || input.storeTurn === true || config.sessions.persistEphemeral;
      // Only a stored session can be raced by another turn; a fresh per-request one has no history,
      // so it skips both the lock and a pointless read.
      let transcript: TranscriptMessage[] = [];
      if (persist) {
        sessionSpan = trace?.startChild('session.lock');
        release = await acquireSession(input.sessionKey, signal);
        sessionSpan?.end();
        sessionSpan = trace?.startChild('session.load');
        transcript = await sessionStore.load(input.sessionKey, { maxMessages: state.settings.maxHistoryMessages });
        sessionSpan?.end();
      }
      const messages = composeProviderMessages({
        agentSystemPrompt: state.settings.systemPrompt,
        transcript,
        prompt: state.prompt,
      });

      // The reply is passed on piece by piece and kept whole for the transcript and the result, up
      // to the agent's cap: a runaway upstream fails the turn instead of filling memory and the store.
      let text = '';
      let outputStarted = false;
      let replyChars = 0;
      const maxReplyChars = state.settings.maxReplyChars;
      const toolCalls: ToolCall[] = [];
      const relay: ReplySink = {
        text(piece) {
          replyChars += piece.length;
          if (replyChars > maxReplyChars) throw replyTooLarge(maxReplyChars);
          if (!outputStarted) markOutputStarted();
          text += piece;
          return sink.text(piece);
        },
        toolCallStart(index, id, name) {
          if (!outputStarted) markOutputStarted();
          toolCalls[index] = { id, name, arguments: '' };
          return sink.toolCallStart(index, id, name);
        },
        toolCallDelta(index, piece) {
          replyChars += piece.length;
          if (replyChars > maxReplyChars) throw replyTooLarge(maxReplyChars);
          const call = toolCalls[index];
          if (call) call.arguments += piece;
          return sink.toolCallDelta(index, piece);
        },
        drained: () => sink.drained(),
      };
      function markOutputStarted() {
        outputStarted = true;
        timings.firstPieceAt = performance.now();
      }
      const answered = await streamWithFallbacks({
        candidates: state.candidates,
        request: { messages, parameters: input.parameters, ...(input.stream === false ? { stream: false } : {}) },
        sink: relay,
        outputStarted: () => outputStarted,
        signal,
        retryDelayMs,
        tracing: trace === undefined ? undefined : { parent: trace, replyText: () => text },
        onAttemptEnded: (candidate, outcome, durationMs) => {
          timings.upstreamMs += durationMs;
          observer?.upstreamAttempt({
            provider: candidate.reference.slice(0, candidate.reference.indexOf('/')),
            model: candidate.reference,
            outcome,
            durationMs,
          });
        },
        ...(onModelAttemptFailed === undefined
          ? {}
          : { onAttemptFailed: (attempt) => onModelAttemptFailed({ ...attempt, agentId: state.settings.id }) }),
      });
      const { usage, finishReason } = answered.result;
      signal.throwIfAborted();
      observer?.tokensUsed(state.settings.id, answered.model, usage);
      const calls = toolCalls.filter((call): call is ToolCall => call !== undefined);
      if (text === '' && calls.length === 0) {
        text = EMPTY_RESPONSE_TEXT;
        sink.text(text);
      }
      if (persist) {
        sessionSpan = trace?.startChild('session.append');
        // Stored before the outcome so a client that got its answer can rely on the next turn seeing it.
        await sessionStore.append(input.sessionKey, {
          createdAt: new Date(now()).toISOString(),
          messages: [
            { role: 'user', content: state.prompt.text },
            { role: 'assistant', content: text, ...(calls.length > 0 ? { toolCalls: calls } : {}) },
          ],
          meta: {
            agentId: state.settings.id,
            // The model that answered: a fallback when the first one failed.
            model: answered.model,
            messageChannel: input.messageChannel,
            finishReason,
            // The three counts, whatever else a provider's object may carry.
            usage: {
              prompt_tokens: usage.prompt_tokens,
              completion_tokens: usage.completion_tokens,
              total_tokens: usage.total_tokens,
            },
          },
        });
        sessionSpan?.end();
      }
      return { ok: true, finishReason, text, toolCalls: calls, usage, model: answered.model };
    } catch (error) {
      const failure = toGatewayError(error, signal);
      sessionSpan?.end(failure.type);
      return { ok: false, error: failure };
    } finally {
      release?.();
    }
  }

  /** The session's turn slot, with the wait and a busy refusal told to the observer. */
  async function acquireSession(sessionKey: string, signal: AbortSignal): Promise<() => void> {
    if (observer === undefined) return sessionTurns.acquire(sessionKey, signal);
    const started = performance.now();
    try {
      const release = await sessionTurns.acquire(sessionKey, signal);
      observer.sessionWaited(performance.now() - started);
      return release;
    } catch (error) {
      if (GatewayError.isInstance(error) && error.code === SESSION_BUSY_CODE) observer.sessionBusy();
      throw error;
    }
  }

  return { prepare, verify, run };
}

/** The turn's reply passed `maxReplyChars`: the upstream misbehaved, so a 502, and nothing is stored. */
function replyTooLarge(maxReplyChars: number): GatewayError {
  return new GatewayError(`The model's reply exceeded the limit of ${maxReplyChars} characters.`, {
    status: 502,
    type: 'api_error',
    code: 'reply_too_large',
  });
}

/**
 * Any failure as the gateway's error. An abort is reported as such (the client is gone anyway),
 * unless the transport aborted with a reason of its own to tell the client (a shutdown).
 */
function toGatewayError(error: unknown, signal: AbortSignal): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  if (signal.aborted) {
    if (GatewayError.isInstance(signal.reason)) return signal.reason;
    return new GatewayError('request aborted', { status: 499, type: 'client_closed_request', cause: error });
  }
  return internalError(error);
}
