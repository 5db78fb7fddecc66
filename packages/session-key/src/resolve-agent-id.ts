import { DEFAULT_AGENT_ID, normalizeAgentId } from './normalize-agent-id.js';
import { parseModelAgent } from './parse-model-agent.js';

/** Inputs of {@link resolveAgentId}; every field is a plain header/body value. */
export interface ResolveAgentIdOptions {
  /**
   * The agent header, picked by the caller: `x-openclaw-agent-id`, else `x-openclaw-agent`.
   * Blank (empty or whitespace-only) counts as absent. Repeated headers are the caller's
   * business: pass one string.
   */
  headerAgentId?: string;
  /** The request's `model` field as sent. */
  model?: string;
  /**
   * The configured default agent, normalised before use.
   * @defaultValue `'main'`
   */
  defaultAgentId?: string;
}

/** Result of {@link resolveAgentId}. */
export type ResolveAgentIdResult =
  | { ok: true; agentId: string; source: 'header' | 'model' | 'default' }
  | { ok: false; reason: 'invalid-model' };

/**
 * Picks the agent a request reaches (docs/http-contract.md#4-agent-selection-session-keys-and-headers):
 * the header wins, then `model`, then the configured default. An invalid `model` is refused even
 * when a header is present, because the gateway validates the form of `model` on its own, before
 * any agent is chosen.
 *
 * Header ids are normalised (`' Ops Team '` → `ops-team`; a header that normalises to nothing
 * becomes `main`). Whether the agent is configured is the caller's check (`Unknown agent '<id>'.`).
 *
 * @param options - Header value, `model` and default agent; see {@link ResolveAgentIdOptions}.
 * @returns `{ ok: true, agentId, source }` or `{ ok: false, reason: 'invalid-model' }`; never throws.
 * @example
 * resolveAgentId({ headerAgentId: 'ops', model: 'openclaw' }); // { ok: true, agentId: 'ops', source: 'header' }
 * resolveAgentId({ model: 'gpt-4o' }); // { ok: false, reason: 'invalid-model' }
 */
export function resolveAgentId(options: ResolveAgentIdOptions = {}): ResolveAgentIdResult {
  const modelAgent = parseModelAgent(options.model);
  if (modelAgent.kind === 'invalid') return { ok: false, reason: 'invalid-model' };
  const header = typeof options.headerAgentId === 'string' ? options.headerAgentId.trim() : '';
  if (header !== '') return { ok: true, agentId: normalizeAgentId(header), source: 'header' };
  if (modelAgent.kind === 'agent') return { ok: true, agentId: modelAgent.agentId, source: 'model' };
  return {
    ok: true,
    agentId: normalizeAgentId(options.defaultAgentId ?? DEFAULT_AGENT_ID),
    source: 'default',
  };
}
