/**
 * Where the pieces of a reply go as they arrive: the provider pushes them into the run, the run
 * passes them on to the transport (HTTP stream, CLI, …). One call per piece and no promise or
 * event object per piece: a streamed answer is dozens of pieces, and a busy gateway relays tens of
 * thousands a second, so this seam is the hot path of every door.
 */

/**
 * Receives a reply piece by piece. Each method returns `false` when the receiver's downstream is
 * full; the producer then stops reading its upstream until {@link ReplySink.drained} resolves, so a
 * slow client slows the upstream instead of filling the gateway's memory.
 *
 * A method may also throw a `GatewayError` to end the run (the run's reply cap does, when the model
 * says too much); producers let it propagate as the run's failure.
 */
export interface ReplySink {
  /** A piece of the reply text (never empty). */
  text(text: string): boolean;
  /** A new tool call; `index` counts calls of this reply from 0. */
  toolCallStart(index: number, id: string, name: string): boolean;
  /** A piece of a started call's JSON arguments (never empty). */
  toolCallDelta(index: number, argumentsPiece: string): boolean;
  /** Resolves once the receiver can take more after a `false`. */
  drained(): Promise<void>;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A sink that takes everything and keeps nothing: for consumers that only want the final result. */
export const DISCARDING_REPLY_SINK: ReplySink = Object.freeze({
  text: () => true,
  toolCallStart: () => true,
  toolCallDelta: () => true,
  drained: () => RESOLVED,
});
