/**
 * One turn through each door, for tests that move a conversation between them by session key
 * (docs/ws-protocol.md#methods): `agent` over a WebSocket protocol client, and a non-streaming
 * `POST /v1/chat/completions` with `x-openclaw-session-key`.
 */
import type { Frame, ProtocolClient } from './protocol-client.js';

/** The offline model's reply to the `turn`-th user message `said` of a session. */
export const offlineReply = (turn: number, said: string) =>
  `[clawgate offline model] Turn ${turn}. You said: "${said}"`;

/**
 * The offline model's usage for a turn, as `agent` reports it: `ceil(characters of every message
 * sent / 4)` in, one token per streamed word out.
 *
 * @param sent - The text of each message of the request (the transcript, then the new message).
 */
export function offlineUsage(sent: string[], reply: string): { input: number; output: number; total: number } {
  const input = Math.ceil(sent.join('').length / 4);
  const output = (reply.match(/\S+\s*/g) ?? []).length;
  return { input, output, total: input + output };
}

/** What an `agent` call answered: its `accepted` response and its final one (after the run's end). */
export interface AgentTurn {
  accepted: Frame;
  final: Frame;
}

/**
 * Sends `agent {message, idempotencyKey: runId, sessionKey}` and waits for both of its responses.
 *
 * @param timeoutMs - How long the final response may take. @defaultValue 10000
 */
export async function agentTurn(
  client: ProtocolClient,
  runId: string,
  sessionKey: string,
  message: string,
  timeoutMs = 10_000,
): Promise<AgentTurn> {
  const final = client.waitFor(
    (frame) => frame.type === 'res' && frame.id === runId && frame.payload?.status !== 'accepted',
    timeoutMs,
  );
  const accepted = await client.request('agent', { message, idempotencyKey: runId, sessionKey }, runId);
  return { accepted, final: await final };
}

/** A non-streaming HTTP turn on `sessionKey`: the status and the reply text (or the error body). */
export async function httpTurn(
  url: string,
  token: string,
  sessionKey: string,
  message: string,
): Promise<{ status: number; content: string | undefined; body: unknown }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-openclaw-session-key': sessionKey,
    },
    body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: message }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content, body };
}

/** `[role, text]` of each `chat.history` message, for comparing a transcript's order and words. */
export function historyTexts(history: Frame): Array<[string, string]> {
  const messages = (history.payload?.messages ?? []) as Array<{
    role: string;
    content: string | Array<{ text: string }>;
  }>;
  return messages.map((message) => [
    message.role,
    typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join(''),
  ]);
}
