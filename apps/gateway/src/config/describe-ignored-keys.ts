/**
 * The one line that tells an operator which keys of their OpenClaw config clawgate ignores, printed
 * at start-up and by `clawgate config check` (docs/http-contract.md#8-configuration). Key paths
 * only, never values, so no secret can reach it.
 */

/**
 * @param ignoredKeys - From `loadConfig` / `parseConfigAndIgnoredKeys`.
 * @returns The warning line, or `undefined` when nothing was ignored.
 * @example
 * describeIgnoredKeys(['gateway.controlUi', 'hooks']);
 * // 'warning: ignoring 2 OpenClaw config keys clawgate does not implement: gateway.controlUi, hooks'
 */
export function describeIgnoredKeys(ignoredKeys: readonly string[]): string | undefined {
  if (ignoredKeys.length === 0) return undefined;
  const count = `${ignoredKeys.length} OpenClaw config ${ignoredKeys.length === 1 ? 'key' : 'keys'}`;
  return `warning: ignoring ${count} clawgate does not implement: ${ignoredKeys.join(', ')}`;
}
