/**
 * `GET /v1/models` and `GET /v1/models/<url-encoded id>` (docs/http-contract.md#7-models): the agents
 * this gateway serves, in the form OpenAI clients list and retrieve.
 */
import { requestPath, type RouteStep } from './route-step.js';
import { sendJson } from './send-response.js';
import type { Model, ModelList } from '@clawgate/openai-schemas';
import { isValidAgentId } from '@clawgate/session-key';
import { GatewayError, invalidRequest } from '../errors.js';

/** The path prefix of the retrieve route; the id is everything after it, percent-decoded. */
export const MODEL_PATH_PREFIX = '/v1/models/';

/** The exact 400/404 messages of docs/http-contract.md#7-models. */
export const MODEL_ERROR_MESSAGES = {
  missingId: 'Missing model id.',
  badEncoding: 'Invalid model id encoding.',
  invalidId: 'Invalid model id.',
  notFound: (id: string) => `Model '${id}' not found.`,
} as const;

function toModel(id: string): Model {
  return { id, object: 'model', created: 0, owned_by: 'openclaw', permission: [] };
}

/** Ids in the documented order: the two default aliases, then one per configured agent. */
function listModelIds(agentIds: readonly string[]): string[] {
  return ['openclaw', 'openclaw/default', ...agentIds.map((agentId) => `openclaw/${agentId}`)];
}

/**
 * Creates the list handler.
 *
 * @param options.agentIds - Configured agent ids, in configuration order.
 */
export function createListModelsHandler(options: { agentIds: readonly string[] }): RouteStep {
  const body: ModelList = { object: 'list', data: listModelIds(options.agentIds).map(toModel) };
  return (_request, response) => {
    sendJson(response, 200, body);
  };
}

/**
 * Creates the retrieve handler. The id is read from the raw path (not an Express parameter) so a
 * bad percent-encoding is our 400, and an unencoded `/` (`/v1/models/openclaw/main`) still works.
 *
 * @param options.agentIds - Configured agent ids.
 */
export function createRetrieveModelHandler(options: { agentIds: readonly string[] }): RouteStep {
  const known = new Set(listModelIds(options.agentIds));
  return (request, response) => {
    const raw = requestPath(request).slice(MODEL_PATH_PREFIX.length);
    if (raw === '') {
      throw invalidRequest(MODEL_ERROR_MESSAGES.missingId);
    }
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      throw invalidRequest(MODEL_ERROR_MESSAGES.badEncoding);
    }
    if (id === '') {
      throw invalidRequest(MODEL_ERROR_MESSAGES.missingId);
    }
    if (!isModelIdForm(id)) {
      throw invalidRequest(MODEL_ERROR_MESSAGES.invalidId);
    }
    if (!known.has(id)) {
      throw new GatewayError(MODEL_ERROR_MESSAGES.notFound(id), { status: 404, type: 'invalid_request_error' });
    }
    sendJson(response, 200, toModel(id));
  };
}

/** `openclaw`, `openclaw/default` or `openclaw/<agentId>` with a valid (already normalised) id. */
function isModelIdForm(id: string): boolean {
  if (id === 'openclaw') {
    return true;
  }
  return id.startsWith('openclaw/') && isValidAgentId(id.slice('openclaw/'.length));
}
