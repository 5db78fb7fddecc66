/** Channel recorded on a run when `x-openclaw-message-channel` is absent or blank. */
export const DEFAULT_MESSAGE_CHANNEL = 'webchat';

/**
 * Normalises the `x-openclaw-message-channel` header value recorded on a run.
 *
 * @param raw - The header value; `undefined`, empty and whitespace-only mean absent.
 * @returns The trimmed, lowercased channel, or {@link DEFAULT_MESSAGE_CHANNEL}. No length cap or
 *   alphabet check: the value is only recorded, never used to build keys or paths.
 * @example
 * normalizeMessageChannel(' Slack '); // 'slack'
 * normalizeMessageChannel(undefined); // 'webchat'
 */
export function normalizeMessageChannel(raw?: string | null): string {
  if (typeof raw !== 'string') return DEFAULT_MESSAGE_CHANNEL;
  const channel = raw.trim().toLowerCase();
  return channel === '' ? DEFAULT_MESSAGE_CHANNEL : channel;
}
