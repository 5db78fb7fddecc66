/**
 * `clawgate agent`: one agent turn from the command line, through the same runtime as the HTTP
 * endpoint (config, state dir, session store, transcript, runner), so a conversation can move
 * between the two. The reply streams to stdout; `--json` prints the `chat.completion` body.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isReservedSessionKey, parseModelOverride } from '@clawgate/session-key';
import type { AgentRunInput, RunResult } from '../agent/agent-runner.js';
import { buildRunInput } from '../agent/build-run-input.js';
import { DISCARDING_REPLY_SINK, type ReplySink } from '../agent/reply-sink.js';
import { buildChatCompletionBody } from '../agent/build-chat-completion-body.js';
import { loadConfig } from '../config/load-config.js';
import { getDefaultAgentId } from '../config/resolve-agent-settings.js';
import { resolveStateDir } from '../config/state-dir.js';
import { GatewayError } from '../errors.js';
import type { GatewayRuntime } from '../gateway-runtime.js';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, exitCodeForSignal } from './exit-codes.js';

/** Channel recorded on CLI turns when `--channel` is not given (HTTP records `webchat`). */
export const CLI_MESSAGE_CHANNEL = 'cli';

/** Usage text of `clawgate agent`. */
export const AGENT_USAGE = `Usage: clawgate agent --message <text> [options]

Runs one agent turn through the same runtime as POST /v1/chat/completions (same config, state
directory, session store and transcripts) and streams the reply text to stdout.

Options:
  -m, --message <text>      the user message (required); '-' reads it from stdin
  -a, --agent <id>          agent id; default the configured default agent
      --session-key <key>   session key, used verbatim (subagent:, cron:, acp: are reserved)
      --user <user>         continue the session agent:<id>:openai-user:<user, lowercased>, the one
                            HTTP requests with the same "user" field use
      --model <ref>         model override, like x-openclaw-model; must be in the agent's allowedModels
      --channel <name>      message channel recorded with the turn; default "cli"
      --json                print the final chat.completion body (JSON) instead of streaming text
      --config <file>       configuration file (JSON5); default $CLAWGATE_CONFIG, else $OPENCLAW_CONFIG_PATH,
                            else <state dir>/clawgate.json5 (state dir: $CLAWGATE_STATE_DIR, else ~/.clawgate)
  -h, --help                show this help

Without --session-key or --user the turn gets a fresh session that is not stored (unless
sessions.persistEphemeral). Tool calls and a cut-off reply (finish_reason "length") are reported on
stderr; stdout carries only the reply. With --json a failed turn prints {"error":{...}} on stdout too.

${EXIT_CODES_HELP}`;

/**
 * Parses the arguments, runs one turn and prints the reply.
 *
 * @param args - Arguments after `agent`.
 * @param io - Output, environment and signal hooks.
 * @returns 0 after a completed turn; 1 when the turn was refused or failed (message on stderr);
 *   128 + signal number when interrupted.
 * @throws CliUsageError for unknown flags or bad values; ConfigError for a bad configuration file.
 * @example
 * // clawgate agent --agent main --user alice --message "hello"
 * await runAgentCommand(['--user', 'alice', '--message', 'hello'], io);
 */
export async function runAgentCommand(args: string[], io: CliIo): Promise<number> {
  const options = parseAgentArgs(args);
  if (options === 'help') {
    io.stdout(AGENT_USAGE);
    return EXIT_OK;
  }
  if (options.message === '-') {
    // `git log -1 | clawgate agent -m -`: the whole of stdin is the message (refused when empty, as HTTP does).
    options.message = (await io.readStdin?.()) ?? '';
  }
  const env = io.env ?? {};
  const stateDir = resolveStateDir(env);
  const { config } = await loadConfig({ path: options.config, env, stateDir });
  // Loaded here, not at the top: usage errors and --help should not pay for ioredis and undici.
  const { createGatewayRuntime } = await import('../gateway-runtime.js');
  // No authorizer: the CLI user already has the state directory, so there is nothing to check.
  const runtime = await createGatewayRuntime({ config, stateDir, env, auth: false });
  try {
    // Same resolution as the HTTP headers: --agent behaves like x-openclaw-agent-id.
    const built = buildRunInput({
      defaultAgentId: getDefaultAgentId(config),
      agentId: options.agent,
      sessionKey: options.sessionKey,
      user: options.user,
      modelOverride: options.model,
      messages: [{ role: 'user', content: options.message }],
      messageChannel: options.channel,
    });
    // No model is passed, so the agent always resolves; the session key and --model were checked while parsing.
    if (!built.ok) throw new Error(`unreachable: ${built.reason} after the flags were checked`);
    const { input } = built;
    const printer = options.json ? createJsonPrinter(io, input.agentId) : createStreamPrinter(io);
    return await runTurn({ runtime, input, io, printer });
  } finally {
    await runtime.close();
  }
}

/** The parsed flags of `clawgate agent`. */
interface AgentOptions {
  message: string;
  agent: string | undefined;
  sessionKey: string | undefined;
  user: string | undefined;
  model: string | undefined;
  channel: string;
  json: boolean;
  config: string | undefined;
}

function parseAgentArgs(args: string[]): AgentOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        message: { type: 'string', short: 'm' },
        agent: { type: 'string', short: 'a' },
        'session-key': { type: 'string' },
        user: { type: 'string' },
        model: { type: 'string' },
        channel: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (values.help === true) return 'help';
  if (values.message === undefined) throw usage('Option --message is required');
  for (const flag of ['agent', 'session-key', 'user', 'model', 'channel', 'config'] as const) {
    const value = values[flag];
    // A blank value is almost always an unset shell variable: refuse it rather than guess.
    if (value !== undefined && value.trim() === '') throw usage(`Option --${flag} needs a value`);
  }
  const sessionKey = values['session-key']?.trim();
  if (sessionKey !== undefined && isReservedSessionKey(sessionKey)) {
    // The HTTP endpoint's message (docs/http-contract.md#4-agent-selection-session-keys-and-headers),
    // naming the flag instead of the header.
    throw usage('`--session-key` cannot use reserved internal session namespaces.');
  }
  const model = values.model?.trim();
  if (model !== undefined && !parseModelOverride(model).ok) throw usage('Invalid `--model`.');
  return {
    message: values.message,
    agent: values.agent,
    sessionKey,
    user: values.user,
    model,
    channel: values.channel?.trim().toLowerCase() ?? CLI_MESSAGE_CHANNEL,
    json: values.json === true,
    config: values.config,
  };
}

function usage(message: string): CliUsageError {
  return new CliUsageError(message, { usage: AGENT_USAGE });
}

/** How a turn reaches the terminal: streamed text as it arrives, or one JSON body at the end. */
interface TurnPrinter {
  /** Receives the reply's pieces while the turn runs. */
  readonly sink: ReplySink;
  /** The turn completed. */
  end(result: RunResult): void;
  error(error: GatewayError): void;
  /** The turn was interrupted: end whatever was printed cleanly. */
  interrupted(): void;
}

/** Streams text to stdout as it arrives; tool calls and a cut-off reply go to stderr. */
function createStreamPrinter(io: CliIo): TurnPrinter {
  const write: ((text: string) => void) & { flush?: () => void } = io.writeStdout ?? createLineBuffer(io.stdout);
  let written = '';
  return {
    sink: {
      text(text) {
        written += text;
        write(text);
        return true;
      },
      toolCallStart: () => true,
      toolCallDelta: () => true,
      drained: () => Promise.resolve(),
    },
    end(result) {
      // A provider that sends no text pieces still gets its text out (as the HTTP stream does).
      if (written === '' && result.text !== '') {
        written = result.text;
        write(result.text);
      }
      if (written !== '' && !written.endsWith('\n')) write('\n');
      write.flush?.();
      for (const call of result.toolCalls) io.stderr(`tool call ${call.name} ${call.arguments} (id ${call.id})`);
      if (result.finishReason === 'length') io.stderr('clawgate agent: the reply was cut off (finish_reason "length")');
    },
    error(error) {
      // Text already streamed stays; end its line so the error starts on its own.
      if (written !== '' && !written.endsWith('\n')) write('\n');
      write.flush?.();
      io.stderr(`clawgate agent: ${error.message}`);
    },
    interrupted() {
      if (written !== '' && !written.endsWith('\n')) write('\n');
      write.flush?.();
    },
  };
}

/** Prints the non-streaming response body, or the OpenAI error body, as pretty JSON on stdout. */
function createJsonPrinter(io: CliIo, agentId: string): TurnPrinter {
  // The model a client would send to reach this agent over HTTP (documented in the README).
  const identity = {
    id: `chatcmpl_${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model: `openclaw/${agentId}`,
  };
  return {
    sink: DISCARDING_REPLY_SINK,
    end(result) {
      io.stdout(JSON.stringify(buildChatCompletionBody(identity, result), null, 2));
    },
    error(error) {
      io.stdout(JSON.stringify(error.toJSON(), null, 2));
      io.stderr(`clawgate agent: ${error.message}`);
    },
    interrupted() {
      // Nothing was printed yet: the body only exists for a finished turn.
    },
  };
}

/** Collects raw pieces into lines for an `io` without `writeStdout` (in-process tests). */
function createLineBuffer(stdout: (line: string) => void): ((text: string) => void) & { flush?: () => void } {
  let pending = '';
  const write = (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      stdout(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
  write.flush = () => {
    if (pending !== '') stdout(pending);
    pending = '';
  };
  return write;
}

/** Prepares, verifies and runs the turn; SIGINT/SIGTERM abort it (and the upstream request). */
async function runTurn(options: {
  runtime: GatewayRuntime;
  input: AgentRunInput;
  io: CliIo;
  printer: TurnPrinter;
}): Promise<number> {
  const { runtime, input, io, printer } = options;
  const controller = new AbortController();
  let interruptedBy: string | undefined;
  void io.waitForStopSignal().then((signal) => {
    interruptedBy = signal;
    controller.abort();
  });
  try {
    const prepared = runtime.runner.prepare(input);
    await runtime.runner.verify?.(prepared);
    const outcome = await runtime.runner.run(prepared, printer.sink, { signal: controller.signal });
    if (interruptedBy === undefined) {
      if (!outcome.ok) {
        printer.error(outcome.error);
        return EXIT_FAILURE;
      }
      printer.end(outcome);
      return EXIT_OK;
    }
  } catch (error) {
    // prepare/verify refuse with the contract's 400 messages (unknown agent, model not allowed...).
    if (!GatewayError.isInstance(error)) throw error;
    printer.error(error);
    return EXIT_FAILURE;
  }
  printer.interrupted();
  io.stderr(`clawgate agent: interrupted by ${interruptedBy}, turn aborted`);
  return exitCodeForSignal(interruptedBy);
}
