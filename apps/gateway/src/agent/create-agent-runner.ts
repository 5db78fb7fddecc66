/**
 * The agent run (contract §5): request checks in `prepare`, then `run` serialises on the session
 * key, loads the transcript, streams the provider's output as events and stores the completed turn.
 */
import type { GatewayConfig } from '../config/config-schema.js';
import { resolveAgentSettings, type AgentSettings } from '../config/resolve-agent-settings.js';
import { GatewayError, internalError, invalidRequest } from '../errors.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { SessionStore } from '../sessions/session-store.js';
import { acquireSessionLock } from './acquire-session-lock.js';
import type { AgentRunInput, AgentRunner, FinishReason, PreparedRun, RunEvent, ToolCall } from './agent-runner.js';
import { assertPublicImageUrl } from './assert-public-image-url.js';
import { buildPrompt, type BuiltPrompt } from './build-prompt.js';
import { composeProviderMessages } from './compose-provider-messages.js';
import { resolveRunModel } from './resolve-run-model.js';

/** The reply when a model produced neither text nor tool calls (OpenClaw's wording). */
export const EMPTY_RESPONSE_TEXT = 'No response from OpenClaw.';

/** Options of {@link createAgentRunner}. */
export interface CreateAgentRunnerOptions {
  config: GatewayConfig;
  sessionStore: SessionStore;
  providers: ProviderRegistry;
  /** Clock for transcript timestamps. @defaultValue `Date.now` */
  now?: () => number;
  /** Id source (reserved for ids the run creates). @defaultValue `crypto.randomUUID` */
  randomUUID?: () => string;
}

/** What `prepare` computed, kept out of the transports' sight. */
interface PreparedState {
  settings: AgentSettings;
  modelReference: string;
  prompt: BuiltPrompt;
  verified: boolean;
}

/**
 * Creates the runner both transports (HTTP, CLI) share.
 *
 * @throws ConfigError (from the registry) never here: model references are checked when the
 *   registry is built.
 * @example
 * const runner = createAgentRunner({ config, sessionStore, providers });
 * const prepared = runner.prepare(input); // 400s happen here
 * for await (const event of runner.run(prepared, { signal })) { ... }
 */
export function createAgentRunner(options: CreateAgentRunnerOptions): AgentRunner {
  const { config, sessionStore, providers } = options;
  const now = options.now ?? Date.now;
  const states = new WeakMap<PreparedRun, PreparedState>();
  const imagePolicy = config.gateway.http.endpoints.chatCompletions.images;

  function prepare(input: AgentRunInput): PreparedRun {
    const settings = resolveAgentSettings(config, input.agentId);
    if (!settings) throw invalidRequest(`Unknown agent '${input.agentId}'.`);
    const modelReference = resolveRunModel(settings, input.modelOverride);
    // An allow-listed model on a provider that does not exist is as unusable as a forbidden one.
    const providerId = modelReference.slice(0, modelReference.indexOf('/'));
    if (!providers.get(providerId)) {
      throw invalidRequest(`Model '${input.modelOverride?.trim() ?? modelReference}' is not allowed for agent '${settings.id}'.`);
    }
    const prompt = buildPrompt(input.messages, imagePolicy);
    const prepared: PreparedRun = { input };
    states.set(prepared, { settings, modelReference, prompt, verified: false });
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

  async function* run(prepared: PreparedRun, { signal }: { signal: AbortSignal }): AsyncIterable<RunEvent> {
    let release: (() => void) | undefined;
    try {
      const state = stateOf(prepared);
      if (!state.verified) await verify(prepared);
      const { input } = prepared;
      release = await acquireSessionLock(sessionStore, input.sessionKey, signal);
      const persist = input.sessionKind !== 'ephemeral' || config.sessions.persistEphemeral;
      // A fresh per-request session has no history; skipping the load also skips a pointless read.
      const transcript = persist
        ? await sessionStore.load(input.sessionKey, { maxMessages: state.settings.maxHistoryMessages })
        : [];
      const { provider, modelId } = providers.resolve(state.modelReference);
      const messages = composeProviderMessages({ agentSystemPrompt: state.settings.systemPrompt, transcript, prompt: state.prompt });

      let text = '';
      const toolCalls: ToolCall[] = [];
      let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      let finishReason: FinishReason = 'stop';
      for await (const event of provider.stream({ model: modelId, messages, parameters: input.parameters, ...(input.stream === false ? { stream: false } : {}) }, { signal })) {
        switch (event.type) {
          case 'text-delta':
            text += event.text;
            yield { type: 'delta', text: event.text };
            break;
          case 'tool-call-start':
            toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
            yield { type: 'tool_call_start', index: event.index, id: event.id, name: event.name };
            break;
          case 'tool-call-delta': {
            const call = toolCalls[event.index];
            if (call) call.arguments += event.arguments;
            yield { type: 'tool_call_delta', index: event.index, arguments: event.arguments };
            break;
          }
          case 'usage':
            usage = event.usage;
            break;
          case 'finish':
            finishReason = event.finishReason;
            break;
        }
      }
      signal.throwIfAborted();
      const calls = toolCalls.filter((call): call is ToolCall => call !== undefined);
      if (text === '' && calls.length === 0) {
        text = EMPTY_RESPONSE_TEXT;
        yield { type: 'delta', text };
      }
      if (persist) {
        // Stored before `end` so a client that got its answer can rely on the next turn seeing it.
        await sessionStore.append(input.sessionKey, {
          createdAt: new Date(now()).toISOString(),
          messages: [
            { role: 'user', content: state.prompt.text },
            { role: 'assistant', content: text, ...(calls.length > 0 ? { toolCalls: calls } : {}) },
          ],
          meta: { agentId: state.settings.id, model: state.modelReference, messageChannel: input.messageChannel, finishReason },
        });
      }
      yield { type: 'end', finishReason, text, toolCalls: calls, usage };
    } catch (error) {
      yield { type: 'error', error: toGatewayError(error, signal) };
    } finally {
      release?.();
    }
  }

  return { prepare, verify, run };
}

/** Any failure as the contract's error; an abort is reported as such (the client is gone anyway). */
function toGatewayError(error: unknown, signal: AbortSignal): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  if (signal.aborted) {
    return new GatewayError('request aborted', { status: 499, type: 'client_closed_request', cause: error });
  }
  return internalError(error);
}
