/**
 * Where the page keeps the gateway token: `sessionStorage` only, so it lives as long as the tab and
 * never travels in a URL or a cookie, nor stays on disk after the tab closes (docs/webchat.md#security).
 */

const TOKEN_KEY = 'clawgate.webchat.token';

/** The token this tab was given, if any. */
export function readToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Keeps the token for this tab. */
export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forgets it (sign out, or a refused token). */
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
