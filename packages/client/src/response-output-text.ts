import type { ResponsesObject } from '@clawgate/openai-schemas';

/**
 * A response as `client.responses.create` and `ResponseStream.finalResponse()` give it: the
 * validated response object plus `output_text`, the convenience the openai SDK adds
 * (https://platform.openai.com/docs/api-reference/responses/object#responses/object-output_text).
 */
export type ResponsesResult = ResponsesObject & {
  /** Every `output_text` part of every `message` item, in order, joined with nothing between (`''` when none). */
  output_text: string;
};

/** A content part that carries text; checked by hand because the schema's loose branch also admits `output_text`. */
function textOf(part: unknown): string | undefined {
  if (typeof part !== 'object' || part === null) return undefined;
  const { type, text } = part as { type?: unknown; text?: unknown };
  return type === 'output_text' && typeof text === 'string' ? text : undefined;
}

/**
 * Adds `output_text` the way the openai SDK computes it: the `output_text` parts of the `message`
 * items joined without a separator; function calls and other items contribute nothing.
 *
 * @param response - A validated response object (left unchanged).
 * @returns A copy with `output_text`.
 */
export function withOutputText(response: ResponsesObject): ResponsesResult {
  const texts: string[] = [];
  for (const item of response.output) {
    const content: unknown = item.type === 'message' ? (item as { content?: unknown }).content : undefined;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const text = textOf(part);
      if (text !== undefined) texts.push(text);
    }
  }
  return { ...response, output_text: texts.join('') };
}
