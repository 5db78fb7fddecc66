/**
 * Step 6: turns the validated request and the `x-openclaw-*` headers into an agent run input
 * (agent, session key, model override, channel) and lets the runner refuse it before any byte of
 * the response is sent (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 */
import type { RouteStep } from './route-step.js';
import { deriveSessionKey, normalizeMessageChannel, parseModelOverride, resolveAgentId } from '@clawgate/session-key';
import { GatewayError, invalidRequest } from '../errors.js';
import type { AgentRunInput, AgentRunner, ForwardedParameters } from '../agent/agent-runner.js';
import { firstHeaderValue } from './first-header-value.js';
import { chatLocals } from './request-state.js';

/** The exact 400 messages of this step (docs/http-contract.md#4-agent-selection-session-keys-and-headers). */
export const RESOLVE_ERROR_MESSAGES = {
  invalidModel: 'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
  reservedSessionKey: '`x-openclaw-session-key` cannot use reserved internal session namespaces.',
  invalidModelOverride: 'Invalid `x-openclaw-model`.',
} as const;

/** The request fields forwarded to the upstream model as sent (docs/http-contract.md#3-request-validation). */
const FORWARDED_FIELDS = [
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'stop',
  'response_format',
  'max_completion_tokens',
  'max_tokens',
  'tools',
  'tool_choice',
] as const satisfies readonly (keyof ForwardedParameters)[];

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

    const agent = resolveAgentId({
      headerAgentId: firstHeaderValue(request, 'x-openclaw-agent-id') ?? firstHeaderValue(request, 'x-openclaw-agent'),
      model: chatRequest.model,
      defaultAgentId,
    });
    if (!agent.ok) {
      throw invalidRequest(RESOLVE_ERROR_MESSAGES.invalidModel);
    }

    const session = deriveSessionKey({
      agentId: agent.agentId,
      sessionKeyHeader: firstHeaderValue(request, 'x-openclaw-session-key'),
      user: chatRequest.user,
      randomUUID,
    });
    if (!session.ok) {
      throw invalidRequest(RESOLVE_ERROR_MESSAGES.reservedSessionKey);
    }

    // An absent or whitespace-only header means "no override" (a proxy may forward an empty one).
    const modelHeader = firstHeaderValue(request, 'x-openclaw-model')?.trim();
    const modelOverride = modelHeader === undefined || modelHeader === '' ? undefined : modelHeader;
    if (modelOverride !== undefined && !parseModelOverride(modelOverride).ok) {
      throw invalidRequest(RESOLVE_ERROR_MESSAGES.invalidModelOverride);
    }

    const parameters: ForwardedParameters = {};
    for (const field of FORWARDED_FIELDS) {
      if (chatRequest[field] !== undefined) {
        (parameters as Record<string, unknown>)[field] = chatRequest[field];
      }
    }

    const input: AgentRunInput = {
      agentId: agent.agentId,
      sessionKey: session.sessionKey,
      sessionKind: session.kind,
      messages: chatRequest.messages,
      parameters,
      ...(modelOverride === undefined ? {} : { modelOverride }),
      messageChannel: normalizeMessageChannel(firstHeaderValue(request, 'x-openclaw-message-channel')),
      // A whole-body answer lets the provider fetch the upstream answer whole: ~40% less CPU per request.
      ...(chatRequest.stream === true ? {} : { stream: false }),
    };
    // prepare throws GatewayError 400s; Express 5 forwards them (and async rejections) to the error middleware.
    const prepared = runner.prepare(input);
    locals.prepared = prepared;
    // The checks that need I/O (remote image hosts) run here, before any header: a refused image is
    // a plain 400 even for a streamed request.
    await runner.verify?.(prepared);
    // A stream would send 200 before the run reaches the session store; refuse honestly instead.
    if (options.storesAvailable !== undefined && !options.storesAvailable()) {
      throw new GatewayError('session store unavailable', { status: 503, type: 'service_unavailable', retryAfterSeconds: 1 });
    }
    next();
  };
}
