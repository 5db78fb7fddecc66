/**
 * `GET /v1/models` and `GET /v1/models/<url-encoded id>` (docs/http-contract.md#7-models): the agents
 * this gateway serves, in the form OpenAI clients list and retrieve, each with the upstream model it
 * answers with when that model's provider catalogue describes it.
 */
import { requestPath, type RouteStep } from './route-step.js';
import { sendJson } from './send-response.js';
import type { Model } from '@clawgate/openai-schemas';
import { isValidAgentId, splitProviderModel } from '@clawgate/session-key';
import type { GatewayConfig } from '../config/config-schema.js';
import { getDefaultAgentId, resolveAgentSettings } from '../config/resolve-agent-settings.js';
import { GatewayError, invalidRequest } from '../errors.js';
import { findCatalogueModel } from '../ws/model-catalogue.js';

/** The path prefix of the retrieve route; the id is everything after it, percent-decoded. */
export const MODEL_PATH_PREFIX = '/v1/models/';

/** The exact 400/404 messages of docs/http-contract.md#7-models. */
export const MODEL_ERROR_MESSAGES = {
  missingId: 'Missing model id.',
  badEncoding: 'Invalid model id encoding.',
  invalidId: 'Invalid model id.',
  notFound: (id: string) => `Model '${id}' not found.`,
} as const;

/**
 * The model an agent answers with, as its provider's catalogue (`models.providers.<id>.models`)
 * describes it. Snake case like the rest of OpenAI's model object; a field the catalogue leaves out
 * is left out here too.
 */
export interface UpstreamModel {
  /** `<provider>/<model id>`: the agent's (primary) model. */
  id: string;
  name?: string;
  context_window?: number;
  reasoning?: boolean;
}

/** One entry: OpenAI's model object, then `upstream_model` when the catalogue knows the agent's model. */
export type GatewayModel = Model & { upstream_model?: UpstreamModel };

/** Options of the two handlers. */
export interface ModelsHandlerOptions {
  /** Configured agent ids, in configuration order. */
  agentIds: readonly string[];
  /** The configuration, for each agent's `upstream_model`; without it entries are OpenAI's bare objects. */
  config?: GatewayConfig;
}

function toModel(id: string, config: GatewayConfig | undefined): GatewayModel {
  const model: GatewayModel = { id, object: 'model', created: 0, owned_by: 'openclaw', permission: [] };
  const upstream = config === undefined ? undefined : describeUpstreamModel(config, id);
  return upstream === undefined ? model : { ...model, upstream_model: upstream };
}

/** `openclaw` and `openclaw/default` answer with the default agent, `openclaw/<id>` with that agent. */
function describeUpstreamModel(config: GatewayConfig, id: string): UpstreamModel | undefined {
  const named = id.slice('openclaw/'.length);
  const agentId = id === 'openclaw' || named === 'default' ? getDefaultAgentId(config) : named;
  const reference = resolveAgentSettings(config, agentId)?.model;
  const parts = reference === undefined ? undefined : splitProviderModel(reference);
  const entry = parts === undefined ? undefined : findCatalogueModel(config, parts.provider, parts.model);
  if (reference === undefined || entry === undefined) return undefined;
  return {
    id: reference,
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.contextWindow === undefined ? {} : { context_window: entry.contextWindow }),
    ...(entry.reasoning === undefined ? {} : { reasoning: entry.reasoning }),
  };
}

/** Ids in the documented order: the two default aliases, then one per configured agent. */
function listModelIds(agentIds: readonly string[]): string[] {
  return ['openclaw', 'openclaw/default', ...agentIds.map((agentId) => `openclaw/${agentId}`)];
}

/**
 * Creates the list handler.
 *
 * @param options - The agent ids and, for `upstream_model`, the configuration.
 */
export function createListModelsHandler(options: ModelsHandlerOptions): RouteStep {
  const data = listModelIds(options.agentIds).map((id) => toModel(id, options.config));
  const body: { object: 'list'; data: GatewayModel[] } = { object: 'list', data };
  return (_request, response) => {
    sendJson(response, 200, body);
  };
}

/**
 * Creates the retrieve handler. The id is read from the raw path (not an Express parameter) so a
 * bad percent-encoding is our 400, and an unencoded `/` (`/v1/models/openclaw/main`) still works.
 *
 * @param options - The agent ids and, for `upstream_model`, the configuration.
 */
export function createRetrieveModelHandler(options: ModelsHandlerOptions): RouteStep {
  const models = new Map(listModelIds(options.agentIds).map((id) => [id, toModel(id, options.config)]));
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
    const model = models.get(id);
    if (model === undefined) {
      throw new GatewayError(MODEL_ERROR_MESSAGES.notFound(id), { status: 404, type: 'invalid_request_error' });
    }
    sendJson(response, 200, model);
  };
}

/** `openclaw`, `openclaw/default` or `openclaw/<agentId>` with a valid (already normalised) id. */
function isModelIdForm(id: string): boolean {
  if (id === 'openclaw') {
    return true;
  }
  return id.startsWith('openclaw/') && isValidAgentId(id.slice('openclaw/'.length));
}
