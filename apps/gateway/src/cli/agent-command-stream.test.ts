/**
 * `clawgate agent` (the BUILT bin) against a real OpenAI-compatible upstream on 127.0.0.1: reply
 * text reaches stdout while the upstream is still streaming, tool calls and cut-off replies are
 * reported on stderr, upstream failures exit 1 with the contract's message, and SIGINT aborts the
 * upstream request.
 */
import type { ChildProcess } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  sseFrame,
  startUpstreamServer,
  textChunk,
  type UpstreamServer,
} from '../providers/__fixtures__/start-upstream-server.js';
import { cliEnv, collect, ensureBuiltCli, runCliProcess, spawnCli } from './__fixtures__/built-cli.js';

let dir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
let upstream: UpstreamServer;
/** The handler of the next upstream request; each test sets its own. */
let handle: (response: ServerResponse) => void | Promise<void> = (response) => {
  response.end();
};

beforeAll(async () => {
  ensureBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-agent-stream-'));
  upstream = await startUpstreamServer((_request, response) => handle(response));
  configPath = path.join(dir, 'upstream.json5');
  await writeFile(
    configPath,
    `{
      models: { providers: { up: { baseUrl: "${upstream.baseUrl}", apiKey: "\${UP_KEY}", timeoutMs: 10000 } } },
      agents: { list: [{ id: "main", model: "up/test-model" }] },
      sessions: { store: "memory" },
    }`,
  );
  env = cliEnv(dir, { UP_KEY: 'up-secret-key' });
}, 120_000);

afterEach(() => {
  upstream.requests.length = 0;
});

afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.flushHeaders();
}

/** Resolves once `child`'s stdout contains `text` (rejects after 10 s), with stdout so far. */
function waitForStdout(child: ChildProcess, text: string): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stdout never showed '${text}': '${seen}'`)), 10_000);
    child.stdout!.on('data', (piece: Buffer | string) => {
      seen += piece.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe('clawgate agent streaming to stdout', () => {
  it('prints the first words before the upstream has finished', async () => {
    let releaseRest!: () => void;
    const rest = new Promise<void>((resolve) => (releaseRest = resolve));
    let upstreamFinished = false;
    handle = async (response) => {
      startStream(response);
      response.write(sseFrame(textChunk('Hello')));
      await rest; // held until the test has seen "Hello" on the CLI's stdout
      response.write(sseFrame(textChunk(' world')));
      response.write(sseFrame(textChunk('', 'stop')));
      response.end(sseFrame('[DONE]'));
      upstreamFinished = true;
    };
    const child = spawnCli(['agent', '--config', configPath, '-m', 'hi'], env);
    const firstOutput = waitForStdout(child, 'Hello');
    const finished = collect(child);
    expect(await firstOutput).toBe('Hello');
    expect(upstreamFinished).toBe(false);
    releaseRest();
    expect(await finished).toEqual({ code: 0, signal: null, stdout: 'Hello world\n', stderr: '' });
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer up-secret-key');
    expect(upstream.requests[0]!.body).toMatchObject({
      model: 'test-model',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('reports tool calls on stderr (stdout stays the reply) and --json carries them', async () => {
    handle = (response) => {
      startStream(response);
      const toolChunk = (delta: unknown, finishReason: string | null = null) => ({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'test-model',
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      });
      response.write(
        sseFrame(
          toolChunk({
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          }),
        ),
      );
      response.write(sseFrame(toolChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })));
      response.write(sseFrame(toolChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })));
      response.write(sseFrame(toolChunk({}, 'tool_calls')));
      response.end(sseFrame('[DONE]'));
    };
    expect(await runCliProcess(['agent', '--config', configPath, '-m', 'weather?'], env)).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: 'tool call get_weather {"city":"Paris"} (id call_1)\n',
    });
    const json = await runCliProcess(['agent', '--config', configPath, '--json', '-m', 'weather?'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('says on stderr when the reply was cut off (finish_reason length), exit 0', async () => {
    handle = (response) => {
      startStream(response);
      response.write(sseFrame(textChunk('Cut')));
      response.write(sseFrame(textChunk('', 'length')));
      response.end(sseFrame('[DONE]'));
    };
    expect(await runCliProcess(['agent', '--config', configPath, '-m', 'long'], env)).toEqual({
      code: 0,
      signal: null,
      stdout: 'Cut\n',
      stderr: 'clawgate agent: the reply was cut off (finish_reason "length")\n',
    });
  });

  it('upstream failures exit 1 with the contract message, never the upstream internals', async () => {
    handle = (response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'db password hunter2 leaked' } }));
    };
    expect(await runCliProcess(['agent', '--config', configPath, '-m', 'x'], env)).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'clawgate agent: upstream provider error\n',
    });
    handle = (response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
    };
    expect(await runCliProcess(['agent', '--config', configPath, '--json', '-m', 'x'], env)).toEqual({
      code: 1,
      signal: null,
      stdout: `${JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'authentication_error' } }, null, 2)}\n`,
      stderr: 'clawgate agent: Incorrect API key provided\n',
    });
  });

  it('a stream that breaks mid-reply keeps the printed text, ends its line and exits 1', async () => {
    let cut = (): void => undefined;
    handle = (response) => {
      startStream(response);
      cut = () => response.destroy();
      response.write(sseFrame(textChunk('Partial')));
    };
    const child = spawnCli(['agent', '--config', configPath, '-m', 'x'], env);
    const printed = waitForStdout(child, 'Partial');
    const finished = collect(child);
    // The upstream breaks once the CLI has printed what arrived.
    await printed;
    cut();
    expect(await finished).toEqual({
      code: 1,
      signal: null,
      stdout: 'Partial\n',
      stderr: 'clawgate agent: upstream provider error\n',
    });
  });

  it('SIGINT aborts the turn and the upstream request, exit 130', async () => {
    handle = (response) => {
      startStream(response);
      response.write(sseFrame(textChunk('Hel')));
      // ...and never finishes: only the CLI's abort can end this request.
    };
    const child = spawnCli(['agent', '--config', configPath, '-m', 'x'], env);
    const firstOutput = waitForStdout(child, 'Hel');
    const finished = collect(child);
    await firstOutput;
    const upstreamClosed = upstream.closedEarly(0);
    child.kill('SIGINT');
    expect(await finished).toEqual({
      code: 130,
      signal: null,
      stdout: 'Hel\n',
      stderr: 'clawgate agent: interrupted by SIGINT, turn aborted\n',
    });
    await upstreamClosed;
  });
});
