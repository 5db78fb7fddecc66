/**
 * What a turn tells those who watch it (metrics today; docs/observability.md#metrics). Nothing an
 * observer does changes the turn, and a runner without one pays only an `undefined` check per hook.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import { GatewayError } from '../errors.js';

/**
 * How one call to an upstream model ended. A closed set, so it can be a metric label:
 * `ok`; the upstream answered `4xx` or `5xx`; no answer in time (`timeout`); no connection
 * (`connect_error`); the connection dropped before any output (`reset`); a failure after output
 * had gone downstream (`cut_mid_stream`); a reply the gateway refused (`invalid_reply`: malformed or
 * over the cap); the client left (`aborted`).
 */
export type UpstreamOutcome =
  | 'ok'
  | '4xx'
  | '5xx'
  | 'timeout'
  | 'connect_error'
  | 'reset'
  | 'cut_mid_stream'
  | 'invalid_reply'
  | 'aborted';

/** One provider call of a turn (a turn with fallbacks makes several). */
export interface UpstreamAttempt {
  /** The provider id (`openai`, `offline`, …): from the configuration, so bounded. */
  provider: string;
  /** `<provider>/<model id>` as configured. */
  model: string;
  outcome: UpstreamOutcome;
  /** From the call to its end (the whole stream for a streamed reply), in ms. */
  durationMs: number;
}

/** A turn as an observer sees it: no session key, no content. */
export interface ObservedTurn {
  agentId: string;
  /** Whether the reply is streamed to the client piece by piece. */
  stream: boolean;
}

/** Receives a runner's events; every method is called synchronously and must not throw. */
export interface RunObserver {
  /** A turn began running (after `prepare`); {@link turnEnded} follows exactly once. */
  turnStarted(turn: ObservedTurn): void;
  turnEnded(turn: ObservedTurn): void;
  /** A stored session's turn waited this long (ms) for the session's earlier turns. */
  sessionWaited(waitMs: number): void;
  /** A turn was refused because its session was busy (429 `session_busy`). */
  sessionBusy(): void;
  upstreamAttempt(attempt: UpstreamAttempt): void;
  /** The usage an upstream reported for a completed turn. */
  tokensUsed(agentId: string, model: string, usage: ChatCompletionUsage): void;
}

/**
 * What the turn measured about itself, read by the transport once the request ends (for the
 * gateway's overhead: docs/observability.md#metrics). Times are `performance.now()` readings.
 */
export interface TurnTimings {
  /** Time spent in upstream calls, all attempts together (ms). */
  upstreamMs: number;
  /** When the first piece of the reply was passed on, if one was. */
  firstPieceAt: number | undefined;
}

/**
 * The outcome label of a failed provider call.
 *
 * @param error - What the call threw.
 * @param context.outputStarted - Whether any of the reply had been passed on already.
 * @param context.aborted - Whether the turn's signal was aborted.
 */
export function classifyUpstreamFailure(
  error: unknown,
  context: { outputStarted: boolean; aborted: boolean },
): UpstreamOutcome {
  if (context.aborted) return 'aborted';
  if (context.outputStarted) return 'cut_mid_stream';
  if (!GatewayError.isInstance(error)) return 'invalid_reply';
  switch (error.upstreamFailure) {
    case 'connect':
      return 'connect_error';
    case 'reset':
      return 'reset';
    case 'timeout':
      return 'timeout';
    case 'server':
      return '5xx';
    case 'rate-limit':
    case 'auth':
      return '4xx';
    default:
      // The upstream's other refusals (400, 402, 404, 413, 422) keep their 4xx status; anything
      // else the gateway raised about the reply itself.
      return error.status >= 400 && error.status < 500 ? '4xx' : 'invalid_reply';
  }
}
