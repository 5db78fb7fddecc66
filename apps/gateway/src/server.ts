/**
 * `startGateway(options)`: the one place that reads the environment, touches the state directory
 * and listens (conventions §26). It wires config → stores → providers → runner → authorizer →
 * `createApp` and serves it on one `http.Server`, whose `Upgrade` requests never reach Express.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { createGatewayAuthorizer, MemoryRateLimitStore, resolveAuthConfig, type ResolvedAuthConfig } from '@clawgate/auth';
import { createAgentRunner } from './agent/create-agent-runner.js';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { resolveStateDir } from './config/state-dir.js';
import type { HttpLogger } from './http/http-logger.js';
import { createProviderRegistry } from './providers/provider-registry.js';
import { createSessionStore } from './sessions/create-session-store.js';

/** File name of the generated token inside the state directory. */
export const GATEWAY_TOKEN_FILE = 'gateway-token';

/** Options of {@link startGateway}; every field overrides the configuration file. */
export interface StartGatewayOptions {
  /** `--config`; else `$CLAWGATE_CONFIG`, else `<stateDir>/clawgate.json5`. */
  configPath?: string;
  /** `--port`; `0` picks a free port. @defaultValue `gateway.port` (18789) */
  port?: number;
  /** `--bind`. @defaultValue `gateway.bind` (`127.0.0.1`) */
  bind?: string;
  /** Environment to read. @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
  /** State directory. @defaultValue `$CLAWGATE_STATE_DIR`, else `~/.clawgate` */
  stateDir?: string;
  /** Where start-up lines go (URL, where the token is). @defaultValue `console.log` */
  print?: (line: string) => void;
  /** Receives unexpected request errors. @defaultValue JSON lines on stderr */
  logger?: HttpLogger;
}

/** A running gateway. */
export interface RunningGateway {
  /** `http://<bind>:<port>`, with the real port when `0` was asked for. */
  url: string;
  /** Stops listening, drops open connections and releases stores and upstream pools. */
  close(): Promise<void>;
}

/**
 * Loads the configuration, builds every dependency and listens.
 *
 * In token mode with no configured token it generates one (32 random bytes, base64url), keeps it in
 * `<stateDir>/gateway-token` (mode 0600; reused on restart) and prints the file's path, never the
 * token.
 *
 * @param options - See {@link StartGatewayOptions}.
 * @returns The URL and a `close()` function.
 * @throws ConfigError for a bad configuration file; a listen error (e.g. `EADDRINUSE`) as is.
 * @example
 * const gateway = await startGateway({ configPath: './examples/offline.json5', port: 0 });
 * console.log(gateway.url);
 * await gateway.close();
 */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const logger = options.logger ?? createStderrLogger();
  const stateDir = path.resolve(options.stateDir ?? resolveStateDir(env));
  const { config, path: configFile } = await loadConfig({ path: options.configPath, env, stateDir });

  const rateLimit = config.gateway.auth.rateLimit;
  // Redis-backed limiter state arrives with the next issue; until then a Redis store is refused
  // loudly instead of silently counting in memory.
  if (rateLimit.enabled && rateLimit.store !== 'memory') {
    throw new Error('gateway.auth.rateLimit.store: redis is not supported yet; use "memory"');
  }

  const resolved = resolveAuthConfig(config.gateway.auth, env);
  const { auth, description: authDescription } = await ensureSecret(resolved, stateDir, config.gateway.auth);

  const rateLimitStore = rateLimit.enabled ? new MemoryRateLimitStore() : undefined;
  const authorizer = createGatewayAuthorizer({
    auth,
    trustedProxies: config.gateway.trustedProxies,
    rateLimit:
      rateLimitStore === undefined
        ? false
        : {
            store: rateLimitStore,
            maxAttempts: rateLimit.maxAttempts,
            windowMs: rateLimit.windowMs,
            lockoutMs: rateLimit.lockoutMs,
            exemptLoopback: rateLimit.exemptLoopback,
          },
  });
  const sessionStore = createSessionStore({ config, stateDir });
  const providers = createProviderRegistry({ config });
  const runner = createAgentRunner({ config, sessionStore, providers });
  const app = createApp({ config, runner, authorizer, logger });

  const server = http.createServer(app);
  // WebSocket control protocol comes later; an Upgrade must never fall through to Express.
  server.on('upgrade', (_request: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  // Malformed requests (bad request line, oversized headers) keep Node's own clientError answers
  // (400/431/408), which never reach Express and never crash the process.

  const port = options.port ?? config.gateway.port;
  const bind = options.bind ?? config.gateway.bind;
  const releaseResources = async () => {
    authorizer.close();
    rateLimitStore?.close();
    await providers.close();
    await sessionStore.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bind, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // EADDRINUSE and friends: release what was built so a caller that retries leaks nothing.
    await releaseResources();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  print(`clawgate gateway listening on ${url}`);
  print(`config: ${configFile ?? '(none: built-in defaults)'}`);
  print(authDescription);
  print(
    config.gateway.http.endpoints.chatCompletions.enabled
      ? `endpoint: POST ${url}/v1/chat/completions (models: GET ${url}/v1/models)`
      : 'endpoint: /v1/chat/completions is disabled (set gateway.http.endpoints.chatCompletions.enabled: true)',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await releaseResources();
      })();
      return closing;
    },
  };
}

/**
 * Token mode without a token: reuse or create `<stateDir>/gateway-token`. Prints where the secret
 * lives, never the secret (contract §2).
 */
async function ensureSecret(
  resolved: ResolvedAuthConfig,
  stateDir: string,
  configured: { token?: string | undefined; password?: string | undefined },
): Promise<{ auth: ResolvedAuthConfig; description: string }> {
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

/** Minimal JSON-lines logger on stderr until structured logging lands (next issue). */
function createStderrLogger(): HttpLogger {
  const write = (level: string) => (object: Record<string, unknown>, message: string) => {
    const error = object.err instanceof Error ? { name: object.err.name, message: object.err.message, stack: object.err.stack } : object.err;
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg: message, ...object, err: error })}\n`);
  };
  return { error: write('error'), warn: write('warn') };
}
