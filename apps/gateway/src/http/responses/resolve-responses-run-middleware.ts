/**
 * `/v1/responses`, resolution: the same agent, session and header rules as chat completions, plus
 * `previous_response_id`, then the runner's checks, all before any byte of the answer
 * (docs/responses-api.md#sessions).
 */
import { MISSING_INPUT_MESSAGE } from '@clawgate/openai-schemas';
import {
  RESPONSES_SESSION_NAMESPACE,
  RESPONSES_USER_SESSION_NAMESPACE,
  normalizeMessageChannel,
} from '@clawgate/session-key';
import type { AgentRunner, PreparedRun } from '../../agent/agent-runner.js';
import { MISSING_USER_MESSAGE } from '../../agent/build-prompt.js';
import { INVALID_IMAGE_MESSAGE } from '../../agent/extract-images.js';
import { buildRunInput } from '../../agent/build-run-input.js';
import { GatewayError, invalidRequest } from '../../errors.js';
import type { SessionStore } from '../../sessions/session-store.js';
import { firstHeaderValue } from '../first-header-value.js';
import { prepareTurn } from '../prepare-turn.js';
import { responsesLocals } from '../request-state.js';
import { REFUSAL_MESSAGES } from '../resolve-run-middleware.js';
import type { RouteStep } from '../route-step.js';
import { responsesInputToMessages } from './responses-input-to-messages.js';
import { responsesParameters } from './responses-parameters.js';

/** Where response ids are remembered: the session store (docs/responses-api.md#sessions). */
export type ResponseIdStore = Pick<SessionStore, 'rememberResponse' | 'recallResponse'>;

/** The namespaces of this door's derived session keys, apart from Chat Completions' own. */
const RESPONSES_NAMESPACES = { user: RESPONSES_USER_SESSION_NAMESPACE, ephemeral: RESPONSES_SESSION_NAMESPACE };

/** The 400 of an image the run refuses (not a data URI or allowed URL, too large, too many). */
export const INVALID_INPUT_IMAGE_MESSAGE = 'Invalid input_image content in `input`.';

/** OpenAI's 400 for a `previous_response_id` it does not know (or no longer keeps). */
export function previousResponseNotFound(id: string): GatewayError {
  return new GatewayError(`Previous response with id '${id}' not found.`, {
    status: 400,
    type: 'invalid_request_error',
    param: 'previous_response_id',
    code: 'previous_response_not_found',
  });
}

/**
 * Creates the step that turns the validated request into a prepared run in `res.locals.prepared`.
 *
 * The session is, first match wins: `x-openclaw-session-key`; the session of `previous_response_id`
 * (unknown or expired → 400); `agent:<agent>:openresponses-user:<user>`; a new
 * `agent:<agent>:openresponses:<uuid>`. Unless `store` is `false`, the turn is stored even in a new
 * per-request session, so its response id can be continued.
 */
export function createResolveResponsesRunMiddleware(options: {
  runner: AgentRunner;
  defaultAgentId: string;
  randomUUID: () => string;
  responseIds: ResponseIdStore;
  storesAvailable?: () => boolean;
}): RouteStep {
  const { runner, defaultAgentId, randomUUID, responseIds } = options;
  return async (request, response, next) => {
    const locals = responsesLocals(response.locals);
    const responsesRequest = locals.responsesRequest;
    if (responsesRequest === undefined) throw new Error('resolve step ran before validation');

    const previousId = responsesRequest.previous_response_id;
    const previous = previousId === undefined ? undefined : await responseIds.recallResponse(previousId);
    if (previousId !== undefined && previous === undefined) throw previousResponseNotFound(previousId);

    const built = buildRunInput({
      defaultAgentId,
      agentId: firstHeaderValue(request, 'x-openclaw-agent-id') ?? firstHeaderValue(request, 'x-openclaw-agent'),
      model: responsesRequest.model,
      sessionKey: firstHeaderValue(request, 'x-openclaw-session-key') ?? previous?.sessionKey,
      user: responsesRequest.user,
      modelOverride: firstHeaderValue(request, 'x-openclaw-model'),
      messages: responsesInputToMessages(responsesRequest),
      parameters: responsesParameters(responsesRequest),
      messageChannel: normalizeMessageChannel(firstHeaderValue(request, 'x-openclaw-message-channel')),
      stream: responsesRequest.stream === true,
      randomUUID,
      sessionNamespaces: RESPONSES_NAMESPACES,
      storeTurn: responsesRequest.store !== false,
    });
    if (!built.ok) throw invalidRequest(REFUSAL_MESSAGES[built.reason]);
    locals.prepared = await prepareWordedForInput(runner, built.input, options.storesAvailable);
    next();
  };
}

/** The run's refusals that name chat's `messages`, in this door's words. */
const REWORDED: ReadonlyMap<string, string> = new Map([
  [MISSING_USER_MESSAGE, MISSING_INPUT_MESSAGE],
  [INVALID_IMAGE_MESSAGE, INVALID_INPUT_IMAGE_MESSAGE],
]);

/** {@link prepareTurn}, with the refusals that name a field naming `input`, this door's. */
async function prepareWordedForInput(
  runner: AgentRunner,
  input: Parameters<typeof prepareTurn>[1],
  storesAvailable: (() => boolean) | undefined,
): Promise<PreparedRun> {
  try {
    return await prepareTurn(runner, input, storesAvailable);
  } catch (error) {
    const reworded = GatewayError.isInstance(error) ? REWORDED.get(error.message) : undefined;
    throw reworded === undefined ? error : invalidRequest(reworded);
  }
}
