/**
 * What the page shows, as one value changed only by {@link reduceViewState}: the connection, the
 * agents, the chosen agent's sessions, the open session's messages and the reply being streamed.
 * Pure, so the whole event → screen mapping is tested without a browser.
 */
import type { ConnectionStatus } from './gateway-client.js';
import {
  type ChatEventPayload,
  type HistoryMessage,
  type ModelsListPayload,
  type SessionSummary,
  textOf,
} from './protocol.js';

/** One bubble of the conversation. */
export interface ChatMessage {
  /** Stable for rendering: `history-<n>`, `user-<runId>`, `assistant-<runId>`. */
  id: string;
  role: 'user' | 'assistant';
  text: string;
  /** `streaming` while a reply arrives; `aborted` after Stop; `error` with {@link ChatMessage.error}. */
  state: 'done' | 'streaming' | 'aborted' | 'error';
  error?: string;
  runId?: string;
  /** The run's `seq` of the last event applied, so a late or repeated event cannot rewind the text. */
  lastSeq?: number;
}

/** One agent of the picker. */
export interface AgentOption {
  id: string;
  isDefault: boolean;
}

/** The whole view. */
export interface ViewState {
  connection: ConnectionStatus;
  agents: AgentOption[];
  models: ModelsListPayload['models'];
  selectedAgentId: string | undefined;
  /** Every stored session, newest first; the page lists the selected agent's. */
  sessions: SessionSummary[];
  /** The open conversation's session key (a new one has no stored turns yet). */
  sessionKey: string | undefined;
  messages: ChatMessage[];
  /** The run of the open session this page is waiting on (Send becomes Stop). */
  activeRunId: string | undefined;
  /** A failed request to show (the list or history could not be read, a send was refused). */
  notice: string | undefined;
}

/** Everything that changes the view. */
export type ViewAction =
  | { type: 'connection-changed'; status: ConnectionStatus }
  | { type: 'agents-loaded'; agents: AgentOption[]; models: ModelsListPayload['models'] }
  | { type: 'sessions-loaded'; sessions: SessionSummary[] }
  /** A fresh conversation (a new session key), for the agent given. */
  | { type: 'session-started'; agentId: string; sessionKey: string }
  /** An existing session picked from the list; its history follows. */
  | { type: 'session-opened'; agentId: string; sessionKey: string }
  | { type: 'history-loaded'; sessionKey: string; messages: HistoryMessage[] }
  | { type: 'message-sent'; sessionKey: string; runId: string; text: string }
  | { type: 'send-failed'; runId: string; message: string }
  | { type: 'chat-event'; payload: ChatEventPayload }
  | { type: 'request-failed'; message: string };

/** The view before the first connection. */
export const initialViewState: ViewState = {
  connection: { state: 'connecting' },
  agents: [],
  models: [],
  selectedAgentId: undefined,
  sessions: [],
  sessionKey: undefined,
  messages: [],
  activeRunId: undefined,
  notice: undefined,
};

/** The next view after `action`. */
export function reduceViewState(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'connection-changed':
      return { ...state, connection: action.status };
    case 'agents-loaded':
      return { ...state, agents: action.agents, models: action.models };
    case 'sessions-loaded':
      return { ...state, sessions: [...action.sessions].sort((a, b) => b.updatedAt - a.updatedAt) };
    case 'session-started':
    case 'session-opened':
      return {
        ...state,
        selectedAgentId: action.agentId,
        sessionKey: action.sessionKey,
        messages: [],
        activeRunId: undefined,
        notice: undefined,
      };
    case 'history-loaded':
      if (action.sessionKey !== state.sessionKey) return state;
      return { ...state, messages: action.messages.flatMap(historyToMessage) };
    case 'message-sent':
      if (action.sessionKey !== state.sessionKey) return state;
      return {
        ...state,
        activeRunId: action.runId,
        notice: undefined,
        messages: [
          ...state.messages,
          { id: `user-${action.runId}`, role: 'user', text: action.text, state: 'done', runId: action.runId },
        ],
      };
    case 'send-failed':
      return {
        ...state,
        activeRunId: state.activeRunId === action.runId ? undefined : state.activeRunId,
        messages: upsertAssistant(state.messages, action.runId, (message) => ({
          ...message,
          state: 'error',
          error: action.message,
        })),
      };
    case 'chat-event':
      return applyChatEvent(state, action.payload);
    case 'request-failed':
      return { ...state, notice: action.message };
  }
}

function applyChatEvent(state: ViewState, event: ChatEventPayload): ViewState {
  // Another session's run (this connection watches every session it has read): not on screen.
  if (event.sessionKey !== state.sessionKey) return state;
  const existing = state.messages.find((message) => message.id === `assistant-${event.runId}`);
  if (existing?.lastSeq !== undefined && event.seq <= existing.lastSeq) return state;
  const ended = event.state !== 'delta';
  const messages = upsertAssistant(state.messages, event.runId, (message) => {
    // Each event carries the reply so far (docs/ws-protocol.md#events-of-a-run): render it whole.
    const soFar = event.message === undefined ? message.text + (event.deltaText ?? '') : textOf(event.message.content);
    const next: ChatMessage = { ...message, text: soFar, lastSeq: event.seq };
    if (event.state === 'delta') next.state = 'streaming';
    else if (event.state === 'final') next.state = 'done';
    else if (event.state === 'aborted') next.state = 'aborted';
    else {
      next.state = 'error';
      next.error = event.errorMessage ?? 'the run failed';
    }
    return next;
  });
  return {
    ...state,
    messages,
    activeRunId: ended && state.activeRunId === event.runId ? undefined : state.activeRunId,
  };
}

/** Updates the run's assistant message, appending an empty one first when the run has none yet. */
function upsertAssistant(
  messages: ChatMessage[],
  runId: string,
  update: (message: ChatMessage) => ChatMessage,
): ChatMessage[] {
  const id = `assistant-${runId}`;
  const index = messages.findIndex((message) => message.id === id);
  if (index === -1) {
    return [...messages, update({ id, role: 'assistant', text: '', state: 'streaming', runId })];
  }
  const current = messages[index] as ChatMessage;
  return [...messages.slice(0, index), update(current), ...messages.slice(index + 1)];
}

function historyToMessage(message: HistoryMessage, index: number): ChatMessage[] {
  if (message.role !== 'user' && message.role !== 'assistant') return [];
  return [{ id: `history-${index}`, role: message.role, text: textOf(message.content), state: 'done' }];
}
