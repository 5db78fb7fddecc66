import { isValidAgentId, normalizeAgentId } from './normalize-agent-id.js';

/** What the OpenAI `model` field says about the target agent. */
export type ModelAgent = { kind: 'default' } | { kind: 'agent'; agentId: string } | { kind: 'invalid' };

// Prefixes that carry an agent id after them, already lowercase (matching is case-insensitive).
const AGENT_PREFIXES = ['openclaw:', 'openclaw/', 'agent:'] as const;
// Whole values (after lowercasing) that select the configured default agent.
const DEFAULT_MODELS = new Set(['', 'openclaw', 'openclaw/default']);

/**
 * Reads the target agent from the OpenAI `model` field
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 *
 * - `undefined`, `''`, `openclaw`, `openclaw/default` → `{ kind: 'default' }`.
 * - `openclaw:<id>`, `openclaw/<id>`, `agent:<id>` → `{ kind: 'agent', agentId }`.
 * - Anything else → `{ kind: 'invalid' }` (the gateway answers 400).
 *
 * The whole value is compared case-insensitively, so `OpenClaw:Ops` selects `ops`. After
 * lowercasing, `<id>` must match `[a-z0-9][a-z0-9_-]{0,63}`; the returned id is then normalised,
 * which only drops trailing dashes (`agent:ops-` → `ops`). Nothing is trimmed: whitespace
 * anywhere (including a whitespace-only model), an empty id (`openclaw:`), extra slashes
 * (`openclaw/a/b`) or characters outside the id alphabet make the model invalid.
 * `openclaw:default` and `agent:default` name an agent literally called `default`; only
 * `openclaw/default` is the default-agent alias, as the contract lists it.
 *
 * @param model - The request's `model` field as sent.
 * @returns The parsed agent selection; never throws.
 * @example
 * parseModelAgent('openclaw/ops'); // { kind: 'agent', agentId: 'ops' }
 * parseModelAgent('gpt-4o'); // { kind: 'invalid' }
 */
export function parseModelAgent(model: string | undefined): ModelAgent {
  if (model === undefined) return { kind: 'default' };
  if (typeof model !== 'string') return { kind: 'invalid' };
  const lowered = model.toLowerCase();
  if (DEFAULT_MODELS.has(lowered)) return { kind: 'default' };
  for (const prefix of AGENT_PREFIXES) {
    if (!lowered.startsWith(prefix)) continue;
    const id = lowered.slice(prefix.length);
    // The pattern already rules out empty ids, whitespace, slashes and ids over 64 characters.
    if (!isValidAgentId(id)) return { kind: 'invalid' };
    return { kind: 'agent', agentId: normalizeAgentId(id) };
  }
  return { kind: 'invalid' };
}
