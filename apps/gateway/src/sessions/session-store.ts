/**
 * Where session transcripts live. Async throughout because the Redis store
 * (`redis-session-store.ts`) implements the same interface. The agent run uses it as:
 * `runExclusive(key, () => load → provider → append)`.
 */
import type { ToolCall } from '../agent/agent-runner.js';

// The memory store's factory, re-exported beside its interface for the package index; each store
// is implemented in its own file.
export { createMemorySessionStore } from './memory-session-store.js';

/** One stored message. Tool calls are kept structured; the run renders them as text for the model. */
export type TranscriptMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] };

/** One completed turn: the user prompt and the assistant reply, appended together or not at all. */
export interface TranscriptTurn {
  /** ISO-8601 time the turn completed. */
  createdAt: string;
  messages: TranscriptMessage[];
  /** What ran the turn (stored for operators; not sent to the model). */
  meta?: TranscriptTurnMeta;
}

/**
 * Facts recorded with a turn, the message channel among them
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 */
export interface TranscriptTurnMeta {
  agentId: string;
  /** `<provider>/<model id>` that answered. */
  model: string;
  messageChannel: string;
  finishReason: string;
  /** Tokens the turn cost, as the provider reported or estimated them; absent on turns stored before usage was. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** One stored session, as a listing shows it. */
export interface SessionSummary {
  key: string;
  /** The agent of the newest turn (`meta.agentId`), when the store knows it. */
  agentId?: string;
  /** Epoch ms of the newest turn (its `createdAt`, or the file's mtime for the file store). */
  updatedAt: number;
}

/** A page of sessions, newest first. */
export interface SessionPage {
  sessions: SessionSummary[];
  /** Sessions stored in all. */
  totalCount: number;
}

/** What a remembered response id leads to (docs/responses-api.md#sessions). */
export interface StoredResponse {
  /** The session the response's turn was stored in. */
  sessionKey: string;
  /** The agent that answered it. */
  agentId: string;
}

/** A session transcript store. */
export interface SessionStore {
  /**
   * The last `maxMessages` messages of a session (oldest first; never starting with an assistant
   * message cut from its prompt). Unknown keys give `[]`. Stores may compact storage here (the
   * file store does it in the background). Call inside `runExclusive` for the same key.
   *
   * Ownership: the array is the caller's own (a fresh one per call), but the message objects in it
   * may be the store's cached ones, frozen, so one load per turn does not copy the whole history:
   * read them, never write them (a write throws a `TypeError`); build new objects instead.
   */
  load(sessionKey: string, options: { maxMessages: number }): Promise<TranscriptMessage[]>;
  /** Appends one turn atomically: after a crash it is either wholly there or absent. */
  append(sessionKey: string, turn: TranscriptTurn): Promise<void>;
  /** Stored sessions, most recently updated first; `offset` skips that many. */
  list(options: { limit: number; offset: number }): Promise<SessionPage>;
  /**
   * The newest turns of a session holding at least `maxMessages` messages (all of them when it has
   * fewer), oldest first, with their `createdAt` and `meta`, and how many messages are stored in all.
   * Unknown key → `{ turns: [], totalMessages: 0 }`. Read-only: safe outside `runExclusive`.
   *
   * Ownership as for `load`: the array is the caller's, the turns in it may be the store's frozen ones.
   */
  readTurns(
    sessionKey: string,
    options: { maxMessages: number },
  ): Promise<{ turns: TranscriptTurn[]; totalMessages: number }>;
  /**
   * Remembers that `responseId` continues `record.sessionKey` for `ttlMs` (a later call with the same id replaces it).
   */
  rememberResponse(responseId: string, record: StoredResponse, options: { ttlMs: number }): Promise<void>;
  /**
   * The record of a remembered response id whose TTL has not passed; `undefined` otherwise (unknown, expired or
   * evicted).
   */
  recallResponse(responseId: string): Promise<StoredResponse | undefined>;
  /**
   * Runs `task` after every earlier task of the same key has settled (in-process serialisation);
   * different keys run in parallel. Not re-entrant: do not nest calls on one key.
   */
  runExclusive<T>(sessionKey: string, task: () => Promise<T>): Promise<T>;
  /**
   * Connects and resolves once the store can serve. Only a store on another service (Redis) has
   * it; the runtime awaits it at start-up, so a store that is down fails the start with a clear
   * message instead of the first request.
   */
  ready?(): Promise<void>;
  /** `true` while the store can serve (for `/readyz`); no I/O. A store without it is always ready. */
  isReady?(): boolean;
  /** Waits for running tasks to finish and releases resources. */
  close(): Promise<void>;
}
