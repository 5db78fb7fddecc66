/**
 * The shapes of the gateway's WebSocket protocol that the page reads (docs/ws-protocol.md). Deliberately
 * partial: only the fields the page shows; everything else the gateway sends is ignored.
 */

/** The error object of a refused request or handshake (docs/ws-protocol.md#frames-and-errors). */
export interface ProtocolError {
  code: string;
  message: string;
  details?: { code?: string } & Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** A frame from the gateway: a response to one of our requests, or an event. */
export type ServerFrame =
  | { type: 'res'; id: string; ok: true; payload: unknown }
  | { type: 'res'; id: string; ok: false; error: ProtocolError }
  | { type: 'event'; event: string; payload: unknown; seq?: number };

/** `health` (docs/ws-protocol.md#methods). */
export interface HealthPayload {
  defaultAgentId: string;
  agents: { agentId: string; isDefault: boolean }[];
}

/** `models.list`. */
export interface ModelsListPayload {
  models: { id: string; name: string; provider: string }[];
}

/** One entry of `sessions.list`. */
export interface SessionSummary {
  key: string;
  agentId: string;
  updatedAt: number;
}

/** `sessions.list`. */
export interface SessionsListPayload {
  sessions: SessionSummary[];
}

/** A text part of an assistant message. */
interface TextPart {
  type: string;
  text?: string;
}

/** One message of `chat.history`: a user's text, or an assistant's text parts. */
export interface HistoryMessage {
  role: string;
  content: string | TextPart[];
  timestamp?: number;
}

/** `chat.history`. */
export interface ChatHistoryPayload {
  sessionKey: string;
  messages: HistoryMessage[];
}

/** The payload of a `chat` event (docs/ws-protocol.md#events-of-a-run). */
export interface ChatEventPayload {
  runId: string;
  sessionKey: string;
  seq: number;
  state: 'delta' | 'final' | 'aborted' | 'error';
  deltaText?: string;
  message?: { role: string; content: TextPart[] };
  stopReason?: string;
  errorMessage?: string;
}

/** The text of a message's content: a string as it is, text parts joined. */
export function textOf(content: string | TextPart[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}
