/**
 * A fast structural check of `upstreamChatCompletionChunkSchema` (from `@clawgate/openai-schemas`)
 * for the one place it runs per SSE frame. It accepts exactly what the zod schema accepts (its test
 * checks both on the same payloads) but validates in place instead of building a copy of every
 * object, which was about a third of the cost of decoding a streamed frame. Its field lists are
 * typed by the schema's inferred types, so a field added to or dropped from the schema fails the
 * build here rather than drifting.
 */
import type { UpstreamChatCompletionChunk, UpstreamToolCallDelta, UpstreamUsage } from '@clawgate/openai-schemas';

type Check = (value: unknown) => boolean;

type UpstreamChoiceDelta = UpstreamChatCompletionChunk['choices'][number];
type UpstreamDelta = NonNullable<UpstreamChoiceDelta['delta']>;
type UpstreamToolCallFunction = NonNullable<UpstreamToolCallDelta['function']>;

/** One check per field the schema declares on `T` (its loose objects' `[key: string]` index left out). */
type FieldChecks<T> = { readonly [K in keyof T as string extends K ? never : number extends K ? never : K]-?: Check };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
// `.nullish()` fields: absent, undefined and null all pass.
const nullishString: Check = (value) => value === undefined || value === null || typeof value === 'string';
const nullishNumber: Check = (value) =>
  value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value));

function fieldsPass<T>(record: Record<string, unknown>, checks: FieldChecks<T>): boolean {
  for (const key in checks) {
    if (!checks[key](record[key])) return false;
  }
  return true;
}

const nullishObject =
  <T>(checks: FieldChecks<T>): Check =>
  (value) =>
    value === undefined || value === null || (isRecord(value) && fieldsPass(value, checks));
const nullishArrayOf =
  (check: Check): Check =>
  (value) =>
    value === undefined || value === null || (Array.isArray(value) && value.every(check));

const toolCallDelta: Check = (value) =>
  isRecord(value) &&
  fieldsPass<UpstreamToolCallDelta>(value, {
    index: nullishNumber,
    id: nullishString,
    type: nullishString,
    function: nullishObject<UpstreamToolCallFunction>({ name: nullishString, arguments: nullishString }),
  });

const deltaChecks: FieldChecks<UpstreamDelta> = {
  role: nullishString,
  content: nullishString,
  reasoning_content: nullishString,
  tool_calls: nullishArrayOf(toolCallDelta),
};
const choice: Check = (value) =>
  isRecord(value) &&
  fieldsPass<UpstreamChoiceDelta>(value, {
    index: nullishNumber,
    delta: nullishObject(deltaChecks),
    finish_reason: nullishString,
  });
const usage = nullishObject<UpstreamUsage>({
  prompt_tokens: nullishNumber,
  completion_tokens: nullishNumber,
  total_tokens: nullishNumber,
});

const chunkChecks: FieldChecks<UpstreamChatCompletionChunk> = {
  id: nullishString,
  object: nullishString,
  created: nullishNumber,
  model: nullishString,
  choices: (value) => Array.isArray(value) && value.every(choice),
  usage,
};

/**
 * Whether a parsed upstream payload is a chunk `upstreamChatCompletionChunkSchema` accepts, checked
 * in place (no copy).
 *
 * @param value - A parsed SSE `data:` payload.
 */
function isUpstreamChatCompletionChunk(value: unknown): value is UpstreamChatCompletionChunk {
  return isRecord(value) && fieldsPass(value, chunkChecks);
}

/** Something `decodeSseStream` accepts as its `schema`. */
export const upstreamChunkCheck = {
  /**
   * Validates one parsed upstream chunk.
   *
   * @param value - A parsed SSE `data:` payload.
   * @returns The same object (not a copy) when it is a valid chunk.
   */
  safeParse(value: unknown): { success: true; data: UpstreamChatCompletionChunk } | { success: false; error: Error } {
    if (isUpstreamChatCompletionChunk(value)) return { success: true, data: value };
    return { success: false, error: new Error('upstream chunk does not match the chat.completion.chunk shape') };
  },
};
