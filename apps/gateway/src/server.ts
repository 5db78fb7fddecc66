/**
 * `startGateway(options)`: the one place that reads the environment, touches the state directory
 * and listens (conventions §26). It wires config → stores → providers → runner → authorizer →
 * `createApp` and serves it on one `http.Server`, whose `Upgrade` requests never reach Express.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { resolveStateDir } from './config/state-dir.js';
import type { HttpLogger } from './http/http-logger.js';
import { createGatewayRuntime } from './gateway-runtime.js';

export { GATEWAY_TOKEN_FILE, readOrCreateToken } from './ensure-gateway-secret.js';

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

  const runtime = await createGatewayRuntime({ config, stateDir, env });
  const { runner, authorizer, authDescription } = runtime;
  if (authorizer === undefined || authDescription === undefined) throw new Error('unreachable: the runtime was built with auth');
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
  const releaseResources = () => runtime.close();
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

/** Minimal JSON-lines logger on stderr until structured logging lands (next issue). */
function createStderrLogger(): HttpLogger {
  const write = (level: string) => (object: Record<string, unknown>, message: string) => {
    const error = object.err instanceof Error ? { name: object.err.name, message: object.err.message, stack: object.err.stack } : object.err;
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg: message, ...object, err: error })}\n`);
  };
  return { error: write('error'), warn: write('warn') };
}
