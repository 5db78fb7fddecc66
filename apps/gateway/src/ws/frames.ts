/**
 * The three frames of the WebSocket protocol (docs/ws-protocol.md#frames-and-errors): the client's
 * `req`, the gateway's `res` and `event`. Incoming frames are checked by hand (they are tiny and
 * arrive per call), with problems worded like OpenClaw's validator; outgoing frames are built as
 * strings, so an event's payload is serialised once however many connections it goes to.
 */
import type { ProtocolError } from './protocol-error.js';

/** A request from the client. `params` is checked later, by the method's own schema. */
export interface RequestFrame {
  type: 'req';
  id: string;
  method: string;
  params?: unknown;
}

/** Longest request id and method name accepted (real ones are a few dozen characters). */
const MAX_ID_LENGTH = 256;
const REQUEST_KEYS = new Set(['type', 'id', 'method', 'params']);

/** What {@link checkRequestFrame} found. `id` is the frame's id when it had a usable one. */
export type RequestFrameCheck =
  | { ok: true; frame: RequestFrame }
  | { ok: false; kind: 'not-a-request' | 'invalid'; id: string | undefined; problem: string };

/**
 * Checks a parsed JSON value is a well-formed `req` frame: an object with `type: "req"`, a
 * non-empty string `id` and `method` (at most 256 characters each), optional `params`, nothing else.
 *
 * @returns The frame, or why not: `not-a-request` when it is some other frame (`res`, `event`) or
 *   not an object at all.
 */
export function checkRequestFrame(value: unknown): RequestFrameCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, kind: 'not-a-request', id: undefined, problem: 'must be object' };
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'string' && isUsableId(record.id) ? record.id : undefined;
  if (record.type !== 'req')
    return { ok: false, kind: 'not-a-request', id, problem: "/type must be equal to constant 'req'" };
  if (!('id' in record)) return invalid(undefined, "must have required property 'id'");
  if (id === undefined)
    return invalid(undefined, `/id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  if (!('method' in record)) return invalid(id, "must have required property 'method'");
  if (typeof record.method !== 'string' || !isUsableId(record.method))
    return invalid(id, `/method must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  for (const key in record) {
    if (!REQUEST_KEYS.has(key)) return invalid(id, `must NOT have additional property '${printable(key)}'`);
  }
  return { ok: true, frame: record as unknown as RequestFrame };
}

function invalid(id: string | undefined, problem: string): RequestFrameCheck {
  return { ok: false, kind: 'invalid', id, problem };
}

function isUsableId(text: string): boolean {
  return text.length > 0 && text.length <= MAX_ID_LENGTH;
}

/** A client-chosen name, cut short for an error message. */
export function printable(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** `{"type":"res","id":…,"ok":true,"payload":…}`. */
export function encodeResult(id: string, payload: unknown): string {
  return JSON.stringify({ type: 'res', id, ok: true, payload });
}

/** `{"type":"res","id":…,"ok":false,"error":{…}}`. */
export function encodeFailure(id: string, error: ProtocolError): string {
  return JSON.stringify({ type: 'res', id, ok: false, error });
}

/**
 * `{"type":"event","event":…,"payload":…,"seq":…}` from a payload already serialised; `seq` is
 * left out for the one event sent before `hello-ok` (the challenge).
 */
export function encodeEvent(event: string, payloadJson: string, seq?: number): string {
  return seq === undefined
    ? `{"type":"event","event":"${event}","payload":${payloadJson}}`
    : `{"type":"event","event":"${event}","payload":${payloadJson},"seq":${seq}}`;
}
