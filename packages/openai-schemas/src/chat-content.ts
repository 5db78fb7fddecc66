import { z } from 'zod';
import { stringOrPartList } from './string-or-part-list.js';

/**
 * A text content part. OpenAI sends `text`; the Responses-style `input_text` is accepted too because
 * several clients (and OpenClaw) send it on the Chat Completions route.
 */
export const chatContentTextPartSchema = z.object({
  type: z.enum(['text', 'input_text']),
  text: z.string(),
});

/** An image content part: a remote URL or a `data:` URI, with OpenAI's optional `detail` hint. */
export const chatContentImagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string(),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

/**
 * One element of an array `content`. Deliberately partial: audio and file parts are rejected with a
 * clear 400 instead of being dropped, because silently losing user input is worse than refusing it.
 */
export const chatContentPartSchema = z.discriminatedUnion('type', [
  chatContentTextPartSchema.extend({ type: z.literal('text') }),
  chatContentTextPartSchema.extend({ type: z.literal('input_text') }),
  chatContentImagePartSchema,
]);

/**
 * Message `content`: a string, an array of parts, or `null`/absent (assistant turns that only carry
 * tool calls). Emptiness is not checked here: the gateway answers ``Missing user message in `messages`.``
 * once it has looked at every message.
 */
export const chatMessageContentSchema = stringOrPartList(chatContentPartSchema).nullish();

/** A text part (`text` or `input_text`). */
export type ChatContentTextPart = z.infer<typeof chatContentTextPartSchema>;
/** An `image_url` part. */
export type ChatContentImagePart = z.infer<typeof chatContentImagePartSchema>;
/** One element of an array `content`. */
export type ChatContentPart = z.infer<typeof chatContentPartSchema>;
/** Message content as the gateway accepts it. */
export type ChatMessageContent = z.infer<typeof chatMessageContentSchema>;
