/**
 * `clawgate agent`, run as the BUILT bin beside a BUILT gateway on the same state directory and
 * config: one conversation moves between the CLI and HTTP in both directions, `--json` prints the
 * HTTP body shape, and refusals print the contract's messages with the documented exit codes.
 */
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuiltCli, runCliProcess, spawnCli } from './__fixtures__/built-cli.js';
import { AGENT_USAGE } from './agent-command.js';

const TOKEN = 'agent-cli-test-token';
let stateDir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
let gateway: ChildProcess | undefined;
let gatewayUrl: string;

beforeAll(async () => {
  ensureBuiltCli();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-agent-cli-'));
  configPath = path.join(stateDir, 'gateway.json5');
  await writeFile(
    configPath,
    `{
      gateway: { auth: { token: "${TOKEN}" }, http: { endpoints: { chatCompletions: { enabled: true } } } },
      agents: { list: [{ id: "main", default: true }, { id: "beta", allowedModels: ["offline/other"] }] },
      sessions: { store: "file" },
      logging: { level: "silent" },
    }`,
  );
  env = cliEnv(stateDir);
  gateway = spawnCli(['gateway', '--config', configPath, '--port', '0'], env);
  let printed = '';
  gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${printed}`)), 15_000);
    gateway!.stdout!.setEncoding('utf8').on('data', (piece: string) => {
      printed += piece;
      const match = /listening on (http:\/\/\S+)/.exec(printed);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    gateway!.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${printed}`)));
  });
}, 120_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway!.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  await rm(stateDir, { recursive: true, force: true });
});

/** One non-streaming HTTP turn; returns the reply text. */
async function httpTurn(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  expect(response.status).toBe(200);
  return json.choices[0]!.message.content;
}

function agent(...args: string[]) {
  return runCliProcess(['agent', '--config', configPath, ...args], env);
}

const reply = (turn: number, said: string) => `[clawgate offline model] Turn ${turn}. You said: "${said}"`;

async function readTranscript(
  sessionKey: string,
): Promise<Array<{ messages: Array<{ role: string; content: string }>; meta: Record<string, string> }>> {
  const file = path.join(stateDir, 'sessions', `${createHash('sha256').update(sessionKey).digest('hex')}.jsonl`);
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('clawgate agent and HTTP share one conversation', () => {
  it('CLI → HTTP → CLI on --user alice / user "alice" is one transcript', async () => {
    expect(await agent('--agent', 'main', '--user', 'alice', '--message', 'one')).toEqual({
      code: 0,
      signal: null,
      stdout: `${reply(1, 'one')}\n`,
      stderr: '',
    });
    expect(await httpTurn({ model: 'openclaw', user: 'alice', messages: [{ role: 'user', content: 'two' }] })).toBe(
      reply(2, 'two'),
    );
    // Users are lowercased into the key, so `ALICE` is the same conversation
    // (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
    expect(await agent('--user', 'ALICE', '-m', 'three')).toEqual({
      code: 0,
      signal: null,
      stdout: `${reply(3, 'three')}\n`,
      stderr: '',
    });

    const turns = await readTranscript('agent:main:openai-user:alice');
    expect(turns.map((turn) => turn.messages)).toEqual([
      [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: reply(1, 'one') },
      ],
      [
        { role: 'user', content: 'two' },
        { role: 'assistant', content: reply(2, 'two') },
      ],
      [
        { role: 'user', content: 'three' },
        { role: 'assistant', content: reply(3, 'three') },
      ],
    ]);
    // The channel recorded with each turn tells the transports apart: `cli` by default, HTTP's `webchat`.
    expect(turns.map((turn) => turn.meta.messageChannel)).toEqual(['cli', 'webchat', 'cli']);
    expect(turns.map((turn) => turn.meta.agentId)).toEqual(['main', 'main', 'main']);
  });

  it('HTTP → CLI on another agent, with --channel recorded', async () => {
    expect(
      await httpTurn({ model: 'openclaw/beta', user: 'bob', messages: [{ role: 'user', content: 'first' }] }),
    ).toBe(reply(1, 'first'));
    expect(await agent('--agent', 'beta', '--user', 'bob', '--channel', 'Slack', '-m', 'second')).toEqual({
      code: 0,
      signal: null,
      stdout: `${reply(2, 'second')}\n`,
      stderr: '',
    });
    const turns = await readTranscript('agent:beta:openai-user:bob');
    expect(turns.map((turn) => turn.meta.messageChannel)).toEqual(['webchat', 'slack']);
  });

  it('--session-key is used verbatim and shared with x-openclaw-session-key', async () => {
    expect((await agent('--session-key', 'ops:incident-42', '-m', 'a')).stdout).toBe(`${reply(1, 'a')}\n`);
    expect(
      await httpTurn({ messages: [{ role: 'user', content: 'b' }] }, { 'x-openclaw-session-key': 'ops:incident-42' }),
    ).toBe(reply(2, 'b'));
    // The key wins over --user, as the header wins over `user`.
    expect((await agent('--session-key', 'ops:incident-42', '--user', 'carol', '-m', 'c')).stdout).toBe(
      `${reply(3, 'c')}\n`,
    );
    expect(await readTranscript('ops:incident-42')).toHaveLength(3);
  });

  it('without --user or --session-key each turn is a fresh session that is not stored', async () => {
    const before = await readdir(path.join(stateDir, 'sessions'));
    expect((await agent('-m', 'hello')).stdout).toBe(`${reply(1, 'hello')}\n`);
    expect((await agent('-m', 'hello')).stdout).toBe(`${reply(1, 'hello')}\n`);
    expect(await readdir(path.join(stateDir, 'sessions'))).toEqual(before);
  });

  it("--message - reads the message from stdin; an empty stdin is the contract's missing-message error", async () => {
    expect(
      await runCliProcess(['agent', '--config', configPath, '--user', 'erin', '-m', '-'], env, { input: 'piped text' }),
    ).toEqual({
      code: 0,
      signal: null,
      stdout: `${reply(1, 'piped text')}\n`,
      stderr: '',
    });
    expect(await runCliProcess(['agent', '--config', configPath, '-m', '-'], env)).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'clawgate agent: Missing user message in `messages`.\n',
    });
  });

  it('--json prints the non-streaming body with model openclaw/<agent>', async () => {
    const started = Math.floor(Date.now() / 1000);
    const result = await agent('--agent', 'beta', '--user', 'dave', '--json', '-m', 'hi');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const body = JSON.parse(result.stdout);
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl_[0-9a-f-]{36}$/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'openclaw/beta',
      choices: [{ index: 0, message: { role: 'assistant', content: reply(1, 'hi') }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
    });
    expect(body.created).toBeGreaterThanOrEqual(started);
    expect(body.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // Key order as OpenAI (and our HTTP handler) sends it.
    expect(Object.keys(body)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
    expect(result.stdout).toBe(`${JSON.stringify(body, null, 2)}\n`);
  });
});

describe('clawgate agent refusals', () => {
  it('unknown agent → the contract message on stderr, exit 1 (and the error body with --json)', async () => {
    expect(await agent('--agent', 'nope', '-m', 'hi')).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: "clawgate agent: Unknown agent 'nope'.\n",
    });
    expect(await agent('--agent', 'Nope', '--json', '-m', 'hi')).toEqual({
      code: 1,
      signal: null,
      stdout: `${JSON.stringify({ error: { message: "Unknown agent 'nope'.", type: 'invalid_request_error' } }, null, 2)}\n`,
      stderr: "clawgate agent: Unknown agent 'nope'.\n",
    });
  });

  it('model override outside the allow-list and an empty message → exit 1 with the contract messages', async () => {
    expect(await agent('--model', 'offline/elsewhere', '-m', 'hi')).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: "clawgate agent: Model 'offline/elsewhere' is not allowed for agent 'main'.\n",
    });
    expect((await agent('--agent', 'beta', '--model', 'offline/other', '-m', 'hi')).code).toBe(0);
    expect(await agent('-m', '')).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'clawgate agent: Missing user message in `messages`.\n',
    });
  });

  it.each([
    [['-m', 'hi', '--session-key', 'cron:nightly'], '`--session-key` cannot use reserved internal session namespaces.'],
    [['-m', 'hi', '--session-key', ' ACP:x'], '`--session-key` cannot use reserved internal session namespaces.'],
    [['-m', 'hi', '--model', 'openai/'], 'Invalid `--model`.'],
    [[], 'Option --message is required'],
    [['-m', 'hi', '--user', '  '], 'Option --user needs a value'],
    [['-m', 'hi', '--agent'], "Option '-a, --agent <value>' argument missing"],
    [['-m', 'hi', '--stream'], "Unknown option '--stream'"],
    [['-m', 'hi', 'extra'], "Unexpected argument 'extra'. This command does not take positional arguments"],
  ])('%j → usage error, exit 2', async (args, message) => {
    expect(await runCliProcess(['agent', ...args], env)).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `${message}\n\n${AGENT_USAGE}\n`,
    });
  });

  it('a bad config file → exit 1 naming the key, before any run', async () => {
    const bad = path.join(stateDir, 'bad.json5');
    await writeFile(bad, '{ sessions: { store: "disk" } }');
    const result = await runCliProcess(['agent', '--config', bad, '-m', 'hi'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^clawgate agent: sessions\.store: .+ \(in .+bad\.json5\)\n$/);
  });

  it('--help and -h print the usage with the exit codes', async () => {
    for (const flag of ['--help', '-h']) {
      expect(await runCliProcess(['agent', flag], env)).toEqual({
        code: 0,
        signal: null,
        stdout: `${AGENT_USAGE}\n`,
        stderr: '',
      });
    }
    expect(AGENT_USAGE).toContain('Exit codes:\n  0    success\n  1    runtime or configuration error');
    expect(AGENT_USAGE).toContain('  2    usage error');
    expect(AGENT_USAGE).toContain('  130  interrupted by SIGINT');
  });
});
