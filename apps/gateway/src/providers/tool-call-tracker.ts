import type { ProviderEvent } from './model-provider.js';

/** A streamed tool-call fragment as upstreams send it (every field may be missing). */
export interface ToolCallFragment {
  index?: number | null;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/**
 * Turns upstream tool-call fragments into `tool-call-start` / `tool-call-delta` events. The first
 * fragment of an upstream `index` starts a call (our indexes count from 0 in order of appearance,
 * because some servers number sparsely); later fragments only carry argument pieces. A missing id
 * (seen from some local servers) gets a generated `call_<uuid>`.
 *
 * @param generateId - Source of ids for calls the upstream left unnamed.
 */
export function createToolCallTracker(generateId: () => string) {
  const indexes = new Map<number, number>();
  return {
    *accept(fragment: ToolCallFragment): Iterable<ProviderEvent> {
      const upstreamIndex = fragment.index ?? 0;
      let index = indexes.get(upstreamIndex);
      if (index === undefined) {
        index = indexes.size;
        indexes.set(upstreamIndex, index);
        yield {
          type: 'tool-call-start',
          index,
          id: fragment.id || `call_${generateId()}`,
          name: fragment.function?.name ?? '',
        };
      }
      const argumentsPiece = fragment.function?.arguments;
      if (argumentsPiece) yield { type: 'tool-call-delta', index, arguments: argumentsPiece };
    },
  };
}
