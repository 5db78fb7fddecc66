/**
 * The shared secret a token/password gateway checks, and where an operator finds it. Token mode with
 * no configured token generates one and keeps it in the state directory
 * (docs/http-contract.md#2-authentication-rate-limiting-and-scopes).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedAuthConfig } from '@clawgate/auth';

/** File name of the generated token inside the state directory. */
export const GATEWAY_TOKEN_FILE = 'gateway-token';

/**
 * Token mode without a token: reuse or create `<stateDir>/gateway-token`. Prints where the secret
 * lives, never the secret.
 */
export async function ensureGatewaySecret(options: {
  resolved: ResolvedAuthConfig;
  stateDir: string;
  configured: { token?: string | undefined; password?: string | undefined };
}): Promise<{ auth: ResolvedAuthConfig; description: string }> {
  const { resolved, stateDir, configured } = options;
  if (resolved.mode === 'none') {
    return { auth: resolved, description: 'auth: none (every caller is admitted; scopes come from x-openclaw-scopes)' };
  }
  if (resolved.mode === 'trusted-proxy') {
    return { auth: resolved, description: 'auth: trusted-proxy (identity from the trusted proxy header)' };
  }
  if (resolved.secret !== undefined) {
    const fromConfig = (resolved.mode === 'token' ? configured.token : configured.password)?.trim();
    const source = fromConfig ? `gateway.auth.${resolved.mode}` : `OPENCLAW_GATEWAY_${resolved.mode.toUpperCase()}`;
    return { auth: resolved, description: `auth: ${resolved.mode} (from ${source})` };
  }
  if (resolved.mode === 'password') {
    throw new Error('gateway.auth.password: password mode needs a password (or OPENCLAW_GATEWAY_PASSWORD)');
  }
  const file = path.join(stateDir, GATEWAY_TOKEN_FILE);
  const token = await readOrCreateToken(file);
  return {
    auth: { ...resolved, secret: token },
    description: `auth: token; send "Authorization: Bearer <token>" with the token stored in ${file}`,
  };
}

/**
 * Reads the stored token, or writes a fresh one with `wx` (so two gateways starting at once agree on
 * one token) and mode 0600.
 */
export async function readOrCreateToken(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readTokenFile(file);
  if (existing !== undefined) {
    // Tighten permissions an operator may have loosened by copying the file around.
    await chmod(file, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = await readTokenFile(file);
      if (raced !== undefined) {
        return raced;
      }
      // An empty file (e.g. truncated by hand) holds no token: replace it.
      await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'w' });
      return token;
    }
    throw error;
  }
}

async function readTokenFile(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}
