/**
 * Step 6: turns the validated request and the `x-openclaw-*` headers into an agent run input
 * (agent, session key, model override, channel) and lets the runner refuse it before any byte of
 * the response is sent (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 */
import type { RouteStep } from './route-step.js';
import { normalizeMessageChannel } from '@clawgate/session-key';
import { invalidRequest } from '../errors.js';
import type { AgentRunner } from '../agent/agent-runner.js';
import { buildRunInput, type RunRequestRefusal } from '../agent/build-run-input.js';
import { firstHeaderValue } from './first-header-value.js';
import { prepareTurn } from './prepare-turn.js';
import { chatLocals } from './request-state.js';

/** The exact 400 messages of this step (docs/http-contract.md#4-agent-selection-session-keys-and-headers). */
export const RESOLVE_ERROR_MESSAGES = {
  invalidModel: 'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
  reservedSessionKey: '`x-openclaw-session-key` cannot use reserved internal session namespaces.',
  invalidModelOverride: 'Invalid `x-openclaw-model`.',
} as const;

/** This step's refusals, by the reason `buildRunInput` gives. */
export const REFUSAL_MESSAGES: Record<RunRequestRefusal, string> = {
  'invalid-model': RESOLVE_ERROR_MESSAGES.invalidModel,
  'reserved-session-key': RESOLVE_ERROR_MESSAGES.reservedSessionKey,
  'invalid-model-override': RESOLVE_ERROR_MESSAGES.invalidModelOverride,
};

/**
 * Creates the middleware that resolves agent and session, calls `runner.prepare` (which throws a
 * 400 `GatewayError` for an unknown agent, a disallowed model, a missing user message or bad
 * images) and stores the prepared run in `res.locals.prepared`.
 *
 * @param options.runner - The agent runner.
 * @param options.defaultAgentId - The configured default agent (`main` unless configured).
 * @param options.randomUUID - Source of ephemeral session ids (injected for tests).
 * @param options.storesAvailable - False while a shared store (Redis) is unreachable: the turn is
 *   then refused with 503 `service_unavailable` before any header, streaming or not.
 */
export function createResolveRunMiddleware(options: {
  runner: AgentRunner;
  defaultAgentId: string;
  randomUUID: () => string;
  storesAvailable?: () => boolean;
}): RouteStep {
  const { runner, defaultAgentId, randomUUID } = options;
  return async (request, response, next) => {
    const locals = chatLocals(response.locals);
    const chatRequest = locals.chatRequest;
    if (chatRequest === undefined) {
      throw new Error('resolve step ran before validation');
    }

    const built = buildRunInput({
      defaultAgentId,
      agentId: firstHeaderValue(request, 'x-openclaw-agent-id') ?? firstHeaderValue(request, 'x-openclaw-agent'),
      model: chatRequest.model,
      sessionKey: firstHeaderValue(request, 'x-openclaw-session-key'),
      user: chatRequest.user,
      modelOverride: firstHeaderValue(request, 'x-openclaw-model'),
      messages: chatRequest.messages,
      parameters: chatRequest,
      messageChannel: normalizeMessageChannel(firstHeaderValue(request, 'x-openclaw-message-channel')),
      // A whole-body answer lets the provider fetch the upstream answer whole: ~40% less CPU per request.
      stream: chatRequest.stream === true,
      randomUUID,
    });
    if (!built.ok) {
      throw invalidRequest(REFUSAL_MESSAGES[built.reason]);
    }
    // The 400s, the image hosts and the stores' health, all before any header: a refused image is a
    // plain 400 even for a streamed request.
    locals.prepared = await prepareTurn(runner, built.input, options.storesAvailable);
    next();
  };
}
