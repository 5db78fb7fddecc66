/**
 * One conversation across the gateway's doors by session key (docs/ws-protocol.md#methods): a WS
 * `agent` turn, an HTTP turn with `x-openclaw-session-key`, and the BUILT `clawgate agent` CLI on the
 * same state directory all append to one transcript that `chat.history` reads back, on the file
 * store. Also who receives a run's events: the starter and the session's watchers, nobody else.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuiltCli, runCliProcess } from '../cli/__fixtures__/built-cli.js';
import { agentTurn, historyTexts, httpTurn, offlineReply, offlineUsage } from './__fixtures__/door-turns.js';
import { connectClient, type Frame, type ProtocolClient, wsUrl } from './__fixtures__/protocol-client.js';
import {
  startInProcessGateway,
  IN_PROCESS_GATEWAY_TOKEN,
  type InProcessGateway,
} from '../__fixtures__/in-process-gateway.js';

let gateway: InProcessGateway;
const clients: ProtocolClient[] = [];

beforeAll(async () => {
  // The CLI test runs the built bin; a build (when src/ is newer than dist/) takes a while.
  ensureBuiltCli();
  gateway = await startInProcessGateway({ sessions: { store: 'file' } });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(clients.map((client) => client.closed));
  await gateway?.stop();
});

async function connect(): Promise<ProtocolClient> {
  const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
  clients.push(client);
  return client;
}

/** The final `agent` answer of a successful offline turn that sent `sent` (transcript and message). */
function okResult(runId: string, sent: string[], text: string) {
  return {
    runId,
    status: 'ok',
    summary: 'completed',
    result: {
      payloads: [{ text }],
      meta: {
        durationMs: expect.any(Number),
        agentMeta: { provider: 'offline', model: 'clawgate-offline', usage: offlineUsage(sent, text) },
      },
    },
  };
}

/** `[event, stream or state]` of each event of a run, in order. */
const shapeOf = (events: Frame[]) =>
  events.map((frame) => [frame.event, frame.payload.stream ?? frame.payload.state] as const);

describe('one conversation across the doors', () => {
  it('WS agent → HTTP with x-openclaw-session-key → WS chat.history lists all four messages in order', async () => {
    const client = await connect();
    const sessionKey = 'ops:cross-door-http';
    const first = await agentTurn(client, 'cross-http-1', sessionKey, 'over the socket');
    expect(first.accepted.payload).toEqual({
      runId: 'cross-http-1',
      sessionKey,
      agentId: 'main',
      status: 'accepted',
      acceptedAt: expect.any(Number),
    });
    expect(first.final.ok).toBe(true);
    expect(first.final.payload).toEqual(
      okResult('cross-http-1', ['over the socket'], offlineReply(1, 'over the socket')),
    );

    const second = await httpTurn(gateway.url, IN_PROCESS_GATEWAY_TOKEN, sessionKey, 'over http');
    expect([second.status, second.content]).toEqual([200, offlineReply(2, 'over http')]);

    const history = await client.request('chat.history', { sessionKey });
    expect(history.ok).toBe(true);
    expect(historyTexts(history)).toEqual([
      ['user', 'over the socket'],
      ['assistant', offlineReply(1, 'over the socket')],
      ['user', 'over http'],
      ['assistant', offlineReply(2, 'over http')],
    ]);
    expect([history.payload.sessionKey, history.payload.hasMore, history.payload.totalMessages]).toEqual([
      sessionKey,
      false,
      4,
    ]);
    const times = (history.payload.messages as Array<{ timestamp: number }>).map((message) => message.timestamp);
    expect(times[2]).toBeGreaterThanOrEqual(times[0]!);
  });

  it('WS agent → built `clawgate agent --session-key` → WS chat.history and the next WS turn see the CLI turn', async () => {
    const client = await connect();
    const sessionKey = 'ops:cross-door-cli';
    const first = await agentTurn(client, 'cross-cli-1', sessionKey, 'socket first');
    expect(first.final.payload).toEqual(okResult('cross-cli-1', ['socket first'], offlineReply(1, 'socket first')));

    // The CLI runs the agent in its own process on the gateway's state directory and config file.
    const configPath = path.join(gateway.stateDir, 'clawgate.json5');
    const cli = await runCliProcess(
      ['agent', '--config', configPath, '--session-key', sessionKey, '-m', 'then the cli'],
      cliEnv(gateway.stateDir),
    );
    expect(cli).toEqual({ code: 0, signal: null, stdout: `${offlineReply(2, 'then the cli')}\n`, stderr: '' });

    const history = await client.request('chat.history', { sessionKey });
    expect(historyTexts(history)).toEqual([
      ['user', 'socket first'],
      ['assistant', offlineReply(1, 'socket first')],
      ['user', 'then the cli'],
      ['assistant', offlineReply(2, 'then the cli')],
    ]);
    expect(history.payload.totalMessages).toBe(4);

    // The gateway's next run loads the transcript with the other process's turn in it.
    const third = await agentTurn(client, 'cross-cli-3', sessionKey, 'socket again');
    expect(third.final.payload).toEqual(
      okResult(
        'cross-cli-3',
        historyTexts(history)
          .map(([, said]) => said)
          .concat('socket again'),
        offlineReply(3, 'socket again'),
      ),
    );
  }, 30_000);
});

describe("a run's events", () => {
  it('reach a connection that read the session with chat.history, not one that did not', async () => {
    const [starter, watcher, bystander] = await Promise.all([connect(), connect(), connect()]);
    const sessionKey = 'ops:cross-door-watch';
    const read = await watcher.request('chat.history', { sessionKey });
    expect(read.payload).toEqual({ sessionKey, messages: [], hasMore: false, totalMessages: 0 });
    // The bystander watches another session only.
    expect((await bystander.request('chat.history', { sessionKey: 'ops:cross-door-elsewhere' })).ok).toBe(true);

    const runId = 'cross-watch-1';
    const turn = await agentTurn(starter, runId, sessionKey, 'watch this');
    const text = offlineReply(1, 'watch this');
    expect(turn.final.payload).toEqual(okResult(runId, ['watch this'], text));

    const started = await starter.runEvents(runId);
    const watched = await watcher.runEvents(runId);
    const words = text.match(/\S+\s*/g)!;
    expect(shapeOf(started)).toEqual([
      ['agent', 'lifecycle'],
      ...words.flatMap(() => [
        ['agent', 'assistant'],
        ['chat', 'delta'],
      ]),
      ['agent', 'usage'],
      ['agent', 'lifecycle'],
      ['chat', 'final'],
    ]);
    // The same payloads, each with the receiving connection's own increasing seq.
    expect(watched.map((frame) => [frame.event, frame.payload])).toEqual(
      started.map((frame) => [frame.event, frame.payload]),
    );
    for (const events of [started, watched]) {
      const seqs = events.map((frame) => frame.seq!);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    expect(started.at(-1)!.payload.message.content).toEqual([{ type: 'text', text }]);
    expect(
      started
        .filter((frame) => frame.event === 'chat' && frame.payload.state === 'delta')
        .map((frame) => frame.payload.deltaText)
        .join(''),
    ).toBe(text);

    // Events go out to every receiver in one step, before the starter's final answer; a request
    // answered on the bystander's socket afterwards comes after anything sent to it before.
    expect((await bystander.request('health', {})).ok).toBe(true);
    expect(bystander.frames.filter((frame) => frame.type === 'event' && frame.payload?.runId === runId)).toEqual([]);
    expect(bystander.frames.filter((frame) => frame.event === 'agent' || frame.event === 'chat')).toEqual([]);
  });
});
