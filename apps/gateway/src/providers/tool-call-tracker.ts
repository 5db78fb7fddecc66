import type { UpstreamToolCallDelta } from '@clawgate/openai-schemas';
import type { ProviderSink } from './model-provider.js';

/**
 * What the tracker reads of an upstream tool call: a streamed fragment, or a whole call of a
 * non-streamed message (which has no `index`). Every field may be missing.
 */
export type ToolCallFragment = Pick<UpstreamToolCallDelta, 'index' | 'id' | 'function'>;

/**
 * Turns upstream tool-call fragments into `toolCallStart` / `toolCallDelta` calls on a sink. The
 * first fragment of an upstream `index` starts a call (our indexes count from 0 in order of
 * appearance, because some servers number sparsely); later fragments only carry argument pieces.
 * A missing id (seen from some local servers) gets a generated `call_<uuid>`.
 *
 * @param generateId - Source of ids for calls the upstream left unnamed.
 * @param sink - Receives the calls.
 */
export function createToolCallTracker(
  generateId: () => string,
  sink: Pick<ProviderSink, 'toolCallStart' | 'toolCallDelta'>,
) {
  const indexes = new Map<number, number>();
  return {
    /**
     * Reports one fragment.
     * @returns `false` when the sink asked to pause (see {@link ProviderSink}).
     */
    accept(fragment: ToolCallFragment): boolean {
      const upstreamIndex = fragment.index ?? 0;
      let index = indexes.get(upstreamIndex);
      let flowing = true;
      if (index === undefined) {
        index = indexes.size;
        indexes.set(upstreamIndex, index);
        flowing = sink.toolCallStart(index, fragment.id || `call_${generateId()}`, fragment.function?.name ?? '');
      }
      const argumentsPiece = fragment.function?.arguments;
      if (argumentsPiece) flowing = sink.toolCallDelta(index, argumentsPiece) && flowing;
      return flowing;
    },
  };
}
