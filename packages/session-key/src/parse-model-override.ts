/** A `<provider>/<model id>` reference split into its parts. */
export interface ModelRef {
  /** Everything before the first `/`, e.g. `openrouter`. */
  provider: string;
  /** Everything after the first `/`, e.g. `openai/gpt-4o`; may itself contain `/`. */
  model: string;
}

/** Result of {@link parseModelOverride}. */
export type ModelOverrideResult = { ok: true; provider?: string; model: string } | { ok: false };

// Whitespace and control characters never appear in provider or model ids.
const FORBIDDEN_CHARACTERS = /[\s\p{Cc}]/u;

/**
 * Splits a `<provider>/<model id>` reference at its FIRST `/`, so `openrouter/openai/gpt-4o` is
 * provider `openrouter`, model `openai/gpt-4o`. Case is kept: model ids are case-sensitive at
 * some providers.
 *
 * @param ref - The reference; it is trimmed first.
 * @returns The parts, or `undefined` when there is no `/`, any `/`-separated segment is empty
 *   (`openai/`, `/gpt-4o`, `a//b`) or the reference contains whitespace or control characters.
 * @example
 * splitModelRef('openai/gpt-4o'); // { provider: 'openai', model: 'gpt-4o' }
 */
export function splitModelRef(ref: string): ModelRef | undefined {
  const result = parseModelOverride(ref);
  if (!result.ok || result.provider === undefined) return undefined;
  return { provider: result.provider, model: result.model };
}

/**
 * Splits a `<provider>/<model id>` reference at its FIRST `/`, as it is: no trimming and no
 * character or segment checks, for references already validated elsewhere (a gateway's
 * configuration). {@link splitModelRef} and {@link parseModelOverride} add those checks for
 * untrusted input and split with this function.
 *
 * @param ref - The reference.
 * @returns The parts, or `undefined` when there is no `/` or either side of the first one is empty.
 * @example
 * splitProviderModel('openrouter/openai/gpt-4o'); // { provider: 'openrouter', model: 'openai/gpt-4o' }
 * splitProviderModel('local/my model'); // { provider: 'local', model: 'my model' }
 */
export function splitProviderModel(ref: string): ModelRef | undefined {
  const separator = ref.indexOf('/');
  if (separator <= 0 || separator === ref.length - 1) return undefined;
  return { provider: ref.slice(0, separator), model: ref.slice(separator + 1) };
}

/**
 * Parses the `x-openclaw-model` header: `<provider>/<model id>` or a bare model id
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 *
 * The value is trimmed. Empty, whitespace-only, an empty `/`-separated segment (`openai/`, `/x`,
 * `a//b`) or inner whitespace/control characters → `{ ok: false }` (the gateway answers 400
 * ``Invalid `x-openclaw-model`.``). Treat an absent header as "no override" before calling this.
 * Whether the model is allowed for the agent is the caller's check.
 *
 * @param raw - The header value.
 * @returns `{ ok: true, provider?, model }` or `{ ok: false }`; never throws.
 * @example
 * parseModelOverride('openrouter/openai/gpt-4o'); // { ok: true, provider: 'openrouter', model: 'openai/gpt-4o' }
 * parseModelOverride('gpt-4o'); // { ok: true, model: 'gpt-4o' }
 * parseModelOverride('openai/'); // { ok: false }
 */
export function parseModelOverride(raw: string | undefined): ModelOverrideResult {
  if (typeof raw !== 'string') return { ok: false };
  const value = raw.trim();
  if (value === '' || FORBIDDEN_CHARACTERS.test(value)) return { ok: false };
  if (value.split('/').some((segment) => segment === '')) return { ok: false };
  // No empty segment is left, so `undefined` here means there is no `/` at all: a bare model id.
  const parts = splitProviderModel(value);
  return parts === undefined ? { ok: true, model: value } : { ok: true, ...parts };
}
