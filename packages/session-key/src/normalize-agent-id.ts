/** The agent a request reaches when neither a header nor `model` names one and no default is given. */
export const DEFAULT_AGENT_ID = 'main';

/** Maximum length of an agent id (`[a-z0-9][a-z0-9_-]{0,63}`). */
export const MAX_AGENT_ID_LENGTH = 64;

/**
 * The exact pattern a valid agent id matches: a lowercase letter or digit, then up to 63 of
 * lowercase letters, digits, `_` and `-`.
 */
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// Anything outside the id alphabet; a whole run collapses into a single dash.
const INVALID_CHARACTER_RUNS = /[^a-z0-9_-]+/g;
// An id must start with a letter or digit, so leading `_` goes too, not only dashes.
const LEADING_NON_ALPHANUMERIC = /^[-_]+/;
const TRAILING_DASHES = /-+$/;

/**
 * Checks whether a string already is a valid agent id (no normalisation is applied).
 *
 * @param value - The candidate id.
 * @returns `true` when `value` matches {@link AGENT_ID_PATTERN}.
 * @example
 * isValidAgentId('ops-team'); // true
 * isValidAgentId('Ops'); // false (uppercase)
 */
export function isValidAgentId(value: string): boolean {
  return AGENT_ID_PATTERN.test(value);
}

/**
 * Normalises any string into a valid agent id
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 *
 * Steps: trim, lowercase, replace every run of characters outside `[a-z0-9_-]` with one `-`,
 * drop leading `-`/`_` and trailing `-`, cut to 64 characters, drop dashes the cut exposed at the
 * end, and fall back to {@link DEFAULT_AGENT_ID} when nothing is left. The result always satisfies
 * {@link isValidAgentId}, and normalising it again returns it unchanged.
 *
 * @param raw - Header value, configured id or id taken from `model`; `undefined`/`null` mean absent.
 * @returns A valid agent id; `'main'` for absent or empty input.
 * @example
 * normalizeAgentId('  Ops Team! '); // 'ops-team'
 * normalizeAgentId(''); // 'main'
 */
export function normalizeAgentId(raw: string | undefined | null): string {
  if (typeof raw !== 'string') return DEFAULT_AGENT_ID;
  const collapsed = raw
    .trim()
    .toLowerCase()
    .replace(INVALID_CHARACTER_RUNS, '-')
    .replace(LEADING_NON_ALPHANUMERIC, '')
    .replace(TRAILING_DASHES, '');
  // Cutting at 64 can expose a dash at the end again; trimming it keeps the result idempotent.
  const truncated = collapsed.slice(0, MAX_AGENT_ID_LENGTH).replace(TRAILING_DASHES, '');
  return truncated === '' ? DEFAULT_AGENT_ID : truncated;
}
