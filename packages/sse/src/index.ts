export { SSE_HEADERS } from './sse-headers.js';
export { encodeSseComment, encodeSseDone, encodeSseEvent, encodeSseJson } from './encode-sse-event.js';
export type { SseEvent } from './encode-sse-event.js';
export { createSseResponseWriter } from './create-sse-response-writer.js';
export type { SseResponseWriter, SseResponseWriterOptions } from './create-sse-response-writer.js';
export { decodeSseStream } from './decode-sse-stream.js';
export type { DecodeSseStreamOptions, ParseResult, SafeParseSchema, SseSource } from './decode-sse-stream.js';
export { SseDecodeError } from './sse-decode-error.js';
export type { SseDecodeErrorOptions, SseDecodeErrorType } from './sse-decode-error.js';
