/**
 * What the WebSocket door shares between its connections and method handlers: the gateway's run
 * pipeline and stores (the same ones HTTP uses), the door's runs and session watchers, and the
 * clocks and switches of the process (docs/architecture.md#the-websocket-door).
 */
import type { AgentRunner } from '../agent/agent-runner.js';
import type { GatewayConfig } from '../config/config-schema.js';
import type { HttpLogger } from '../http/http-logger.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { Tracing } from '../tracing/tracing.js';
import type { RunRegistry } from './run-registry.js';
import type { EventReceiver, SessionWatchers } from './session-watchers.js';

export interface DoorContext {
  config: GatewayConfig;
  runner: AgentRunner;
  sessionStore: SessionStore;
  runs: RunRegistry;
  watchers: SessionWatchers;
  logger: HttpLogger;
  defaultAgentId: string;
  /** Epoch ms the door was created (for `uptimeMs`). */
  startedAt: number;
  now(): number;
  /** True once the gateway drains: new runs are refused. */
  draining(): boolean;
  /** Aborted at the shutdown deadline, with the error the runs still open end with. */
  shutdownSignal: AbortSignal | undefined;
  /** The gateway's count of in-flight runs (HTTP and WS), which shutdown waits for. */
  onRunStart?: () => void;
  onRunEnd?: () => void;
  /** When tracing is on: a span per turn (docs/observability.md#traces). */
  tracing?: Tracing;
  /** Grows whenever the `health` snapshot changes (`hello-ok`'s `stateVersion.health`). */
  healthVersion(): number;
}

/** A connection as the method handlers see it. */
export interface CallerConnection extends EventReceiver {
  readonly connId: string;
  readonly scopes: ReadonlySet<string>;
  /** Holds `operator.read` (or admin): may watch sessions and receive `health`. */
  readonly canRead: boolean;
  /** Whether the connection can take more output now (its send buffer is below the high-water mark). */
  writable(): boolean;
  /** Resolves once the send buffer has drained, or the connection closed. */
  drained(): Promise<void>;
  /** Runs this connection has going. */
  activeRuns: number;
}
