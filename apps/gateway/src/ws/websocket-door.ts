/**
 * The WebSocket door (docs/ws-protocol.md): OpenClaw's control protocol on the gateway's own HTTP
 * port. `ws` runs without a server of its own (`noServer`); `server.ts` hands it every `Upgrade`.
 * One timer each drives the keepalive pings, `tick` events and `health` events of every connection,
 * so an idle connection costs no timer of its own.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthMode, GatewayAuthorizer } from '@clawgate/auth';
import { WebSocketServer } from 'ws';
import type { AgentRunner } from '../agent/agent-runner.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { getDefaultAgentId } from '../config/resolve-agent-settings.js';
import type { HttpLogger } from '../http/http-logger.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { Tracing } from '../tracing/tracing.js';
import { CLOSE_CODES } from './authenticate-connect.js';
import { GatewayConnection } from './connection.js';
import type { DoorContext } from './door-context.js';
import { buildHealthSnapshot } from './health-snapshot.js';
import { createRunRegistry } from './run-registry.js';
import { createSessionWatchers } from './session-watchers.js';

/** Largest frame before the handshake succeeds (OpenClaw's limit). */
export const HANDSHAKE_MAX_PAYLOAD = 64 * 1024;
/** How often the `health` event goes out. */
const HEALTH_EVENT_INTERVAL_MS = 60_000;

/** Options of {@link createWebSocketDoor}. */
export interface WebSocketDoorOptions {
  config: GatewayConfig;
  runner: AgentRunner;
  sessionStore: SessionStore;
  authorizer: GatewayAuthorizer;
  authMode: AuthMode;
  logger: HttpLogger;
  /** Aborted at the shutdown deadline with the error open runs end with. */
  shutdownSignal?: AbortSignal;
  /** True while the gateway drains. */
  draining: () => boolean;
  onRunStart?: () => void;
  onRunEnd?: () => void;
  /** @defaultValue Date.now */
  now?: () => number;
  /** Tracing: a span per turn (`chat.send`, `agent`) with the run's spans beneath. @defaultValue none */
  tracing?: Tracing;
}

/** See the file comment. */
export interface WebSocketDoor {
  /** Takes over an `Upgrade` request (the server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Starts the shutdown: every connection gets a `shutdown` event, new runs are refused, and once
   * the door's runs have ended every connection is closed with 1012. Resolves when all are closed.
   */
  drain(): Promise<void>;
  /** Cuts whatever connection is still open (the end of a shutdown). */
  terminateAll(): void;
}

export function createWebSocketDoor(options: WebSocketDoorOptions): WebSocketDoor {
  const { config, logger } = options;
  const wsConfig = config.gateway.ws;
  const now = options.now ?? Date.now;
  const connections = new Set<GatewayConnection>();
  const allowedOrigins = new Set(wsConfig.allowedOrigins);
  let healthVersion = 1;
  let allClosed: (() => void) | undefined;

  const door: DoorContext = {
    config,
    runner: options.runner,
    sessionStore: options.sessionStore,
    runs: createRunRegistry({ now }),
    watchers: createSessionWatchers(),
    logger,
    defaultAgentId: getDefaultAgentId(config),
    startedAt: now(),
    now,
    draining: options.draining,
    shutdownSignal: options.shutdownSignal,
    ...(options.onRunStart === undefined ? {} : { onRunStart: options.onRunStart }),
    ...(options.onRunEnd === undefined ? {} : { onRunEnd: options.onRunEnd }),
    ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
    healthVersion: () => healthVersion,
  };

  // One limit for the whole server; a connection's own is raised once its handshake succeeds.
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: HANDSHAKE_MAX_PAYLOAD });

  const timers: NodeJS.Timeout[] = [];
  function startTimers(): void {
    if (timers.length > 0) return;
    timers.push(
      setInterval(() => {
        for (const connection of connections) {
          if (!connection.alive) {
            connection.terminate();
            continue;
          }
          connection.alive = false;
          connection.ping();
        }
      }, wsConfig.pingIntervalMs),
      setInterval(() => {
        const payload = `{"ts":${now()}}`;
        for (const connection of connections) connection.sendEvent('tick', payload);
      }, wsConfig.tickIntervalMs),
      setInterval(() => {
        void buildHealthSnapshot(door).then((snapshot) => {
          healthVersion += 1;
          const payload = JSON.stringify(snapshot);
          for (const connection of connections) if (connection.canRead) connection.sendEvent('health', payload);
        });
      }, HEALTH_EVENT_INTERVAL_MS),
    );
    for (const timer of timers) timer.unref();
  }
  function stopTimers(): void {
    for (const timer of timers.splice(0)) clearInterval(timer);
  }

  return {
    handleUpgrade(request, socket, head) {
      socket.on('error', () => undefined);
      if (options.draining()) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      server.handleUpgrade(request, socket, head, (ws) => {
        const connection = new GatewayConnection({
          ws,
          socket,
          request,
          door,
          authorizer: options.authorizer,
          authMode: options.authMode,
          allowedOrigins,
          onClose: (closed) => {
            connections.delete(closed);
            door.watchers.forget(closed);
            if (connections.size === 0) {
              stopTimers();
              allClosed?.();
            }
          },
        });
        connections.add(connection);
        startTimers();
      });
    },
    async drain() {
      const payload = '{"reason":"gateway stopping","restartExpectedMs":null}';
      for (const connection of connections) connection.sendEvent('shutdown', payload);
      await door.runs.idle();
      // The last runs' final responses are sent as their handlers resume: let them out first.
      await new Promise((resolve) => setImmediate(resolve));
      if (connections.size > 0) {
        const closed = new Promise<void>((resolve) => (allClosed = resolve));
        for (const connection of [...connections]) connection.close(CLOSE_CODES.serviceRestart, 'gateway restarting');
        await closed;
      }
      stopTimers();
    },
    terminateAll() {
      for (const connection of [...connections]) connection.terminate();
      stopTimers();
    },
  };
}
