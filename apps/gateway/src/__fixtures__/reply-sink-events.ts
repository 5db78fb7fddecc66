/**
 * Test adapter shared by the run and provider fixtures: starts something that pushes a reply into
 * a `ReplySink` and gives what it pushed back as an async iterable of events, the pieces as they
 * arrived and then the events of its outcome, so tests can assert exact sequences with `for await`.
 * Leaving the loop early aborts it, as a client that goes away does.
 */
import type { ReplySink } from '../agent/reply-sink.js';

/** How pieces and the outcome become events. */
export interface ReplyEventMapping<E, R> {
  text(text: string): E;
  toolCallStart(index: number, id: string, name: string): E;
  toolCallDelta(index: number, argumentsPiece: string): E;
  /** The events that end the sequence; throwing makes the iteration throw. */
  outcome(result: R): E[];
}

export async function* replySinkEvents<E, R>(
  start: (sink: ReplySink, signal: AbortSignal) => Promise<R>,
  mapping: ReplyEventMapping<E, R>,
  signal: AbortSignal,
): AsyncGenerator<E, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) forwardAbort();
  else signal.addEventListener('abort', forwardAbort, { once: true });
  const queue: E[] = [];
  let settled: { ok: true } | { ok: false; error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const push = (event: E): boolean => {
    queue.push(event);
    wake?.();
    return true;
  };
  const sink: ReplySink = {
    text: (text) => push(mapping.text(text)),
    toolCallStart: (index, id, name) => push(mapping.toolCallStart(index, id, name)),
    toolCallDelta: (index, piece) => push(mapping.toolCallDelta(index, piece)),
    drained: () => Promise.resolve(),
  };
  void start(sink, controller.signal)
    .then((result) => {
      queue.push(...mapping.outcome(result));
      settled = { ok: true };
    })
    .catch((error: unknown) => {
      settled = { ok: false, error };
    })
    .finally(() => wake?.());
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as E;
      if (settled !== undefined) {
        if (!settled.ok) throw settled.error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', forwardAbort);
    if (settled === undefined) controller.abort(new Error('consumer stopped reading'));
  }
}
