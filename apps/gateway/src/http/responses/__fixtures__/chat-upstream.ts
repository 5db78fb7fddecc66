/**
 * A scripted OpenAI-compatible upstream for the Responses API tests: it answers every chat request,
 * streamed or whole, from a reply function of the request body, so a test reads which conversation
 * the gateway sent and decides what the "model" says.
 */
import type http from 'node:http';
import {
  startFakeUpstream,
  upstreamChunk,
  upstreamUsageChunk,
  writeUpstreamStream,
  type FakeUpstream,
  type UpstreamRequestRecord,
} from '../../../__fixtures__/fake-upstream.js';

/** What the scripted model answers: text, or one call. */
export type ScriptedReply = { text: string } | { call: { id: string; name: string; arguments: string } };

/** The upstream's usage in every answer. */
export const UPSTREAM_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

/** The messages of a recorded upstream request. */
export function upstreamMessages(record: UpstreamRequestRecord | undefined): Array<Record<string, unknown>> {
  return (record?.body.messages ?? []) as Array<Record<string, unknown>>;
}

/**
 * Starts the upstream. A streamed answer sends the text in two pieces (or the call's arguments in
 * two pieces), then the finish and usage chunks; a whole answer is one `chat.completion`.
 */
export function startChatUpstream(reply: (body: Record<string, unknown>) => ScriptedReply): Promise<FakeUpstream> {
  return startFakeUpstream((record, response) => answer(reply(record.body), record.body.stream === true, response));
}

function answer(reply: ScriptedReply, stream: boolean, response: http.ServerResponse): void {
  if (stream) {
    const frames =
      'text' in reply
        ? [
            upstreamChunk({ role: 'assistant', content: reply.text.slice(0, 3) }),
            upstreamChunk({ content: reply.text.slice(3) }),
            upstreamChunk({}, 'stop'),
          ]
        : [
            upstreamChunk({
              tool_calls: [
                { index: 0, id: reply.call.id, type: 'function', function: { name: reply.call.name, arguments: '' } },
              ],
            }),
            upstreamChunk({ tool_calls: [{ index: 0, function: { arguments: reply.call.arguments.slice(0, 4) } }] }),
            upstreamChunk({ tool_calls: [{ index: 0, function: { arguments: reply.call.arguments.slice(4) } }] }),
            upstreamChunk({}, 'tool_calls'),
          ];
    writeUpstreamStream(response, [...frames, upstreamUsageChunk(UPSTREAM_USAGE)]);
    return;
  }
  const message =
    'text' in reply
      ? { role: 'assistant', content: reply.text }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: reply.call.id,
              type: 'function',
              function: { name: reply.call.name, arguments: reply.call.arguments },
            },
          ],
        };
  const body = JSON.stringify({
    id: 'chatcmpl-upstream',
    object: 'chat.completion',
    created: 1,
    model: 'up-model',
    choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
    usage: UPSTREAM_USAGE,
  });
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(body);
}
