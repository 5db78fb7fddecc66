/**
 * Load over the gateway's WebSocket door (OpenClaw's control protocol v4, docs/ws-protocol.md):
 * the `connect` handshake, closed-loop `agent` turns on kept connections (the window a CPU reading
 * brackets, like `runFixedCount` for HTTP), handshakes alone, one turn checked frame by frame, and
 * steps of concurrent paced turns checked like the HTTP stream steps.
 *
 * The load generator never parses a frame in the measured loops: a frame is told by its first bytes
 * (`{"type":"res","id":"t7","ok":true,…`, `{"type":"event","event":"chat",…`), which the gateway
 * writes in a fixed order, and a `chat` delta by its `"state":"delta"`. Only the checked turn
 * (`checkWsTurn`) is parsed whole, to prove that what the loops count is the answer.
 */
import { countOutcome, type MeasuredPhaseOptions, warmUpThenMeasure } from './closed-loop-phase.js';
import type { ClosedLoopResult } from './load-generator.js';
import { ArrivalTimer, connectFailedStep, holdStreams } from './stream-step-verdict.js';
import type { PacedStepOptions, StreamOutcome, StreamStepVerdict } from './stream-step-verdict.js';
import { openWebSocket, type WsConnection } from './ws-client.js';

/** A gateway's WebSocket door and the token its `connect` carries. */
export interface WsTarget {
  origin: string;
  token: string;
}

/** What one `agent` turn asks for. */
export interface WsTurnSpec {
  agentId: string;
  /** Each connection (worker) its own session, so turns never wait on another's session lock. */
  sessionKeyFor: (worker: number) => string;
  /** Makes idempotency keys unique across the run (a finished run's key is remembered for 5 minutes). */
  keyPrefix: string;
  /** Content deltas of every answer: `chat` events with `state: "delta"`. */
  expectedDeltas: number;
}

const MESSAGE_JSON = JSON.stringify('Say hello in one short sentence.');
const CONNECT_ID = 'c';

/** The `connect` request of a test client with the operator read and write scopes. */
function connectRequest(token: string): string {
  return JSON.stringify({
    type: 'req',
    id: CONNECT_ID,
    method: 'connect',
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: 'test', version: '1', platform: 'linux', mode: 'test' },
      role: 'operator',
      scopes: ['operator.read', 'operator.write'],
      auth: { token },
    },
  });
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const CHALLENGE_PREFIX = ascii('{"type":"event","event":"connect.challenge"');
const HELLO_OK_PREFIX = ascii(`{"type":"res","id":"${CONNECT_ID}","ok":true,"payload":{"type":"hello-ok"`);
const HELLO_FAILED_PREFIX = ascii(`{"type":"res","id":"${CONNECT_ID}","ok":false`);
const STATE_DELTA = ascii('"state":"delta"');
const STATUS_ACCEPTED = ascii('"status":"accepted"');
const STATUS_OK = ascii('"status":"ok"');
/** Offsets into `{"type":"res"…` / `{"type":"event","event":"agent"…`. */
const TYPE_AT = 9;
const EVENT_NAME_AT = 25;
const CHAR = { r: 0x72, e: 0x65, a: 0x61, c: 0x63, h: 0x68 } as const;

function startsWith(payload: Buffer, prefix: Buffer): boolean {
  return payload.length >= prefix.length && payload.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

const printable = (payload: Buffer): string => payload.toString('utf8', 0, Math.min(payload.length, 300));

/**
 * Opens a connection and completes the handshake: the challenge, `connect`, `hello-ok`.
 * @throws Error when the upgrade fails, the first frame is not the challenge, `connect` is refused
 *   or nothing arrives within `timeoutMs`
 */
export async function connectAndHello(target: WsTarget, timeoutMs = 10_000): Promise<WsConnection> {
  const connection = await openWebSocket(target.origin, '/', timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      let challenged = false;
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(() => settle(new Error(`no hello-ok within ${timeoutMs} ms`)), timeoutMs);
      void connection.closed.then(() =>
        settle(new Error(`closed during the handshake (code ${connection.closeCode ?? 'none'})`)),
      );
      connection.listen((payload) => {
        if (!challenged) {
          if (!startsWith(payload, CHALLENGE_PREFIX)) {
            settle(new Error(`the first frame is not connect.challenge: ${printable(payload)}`));
            return;
          }
          challenged = true;
          connection.send(connectRequest(target.token));
        } else if (startsWith(payload, HELLO_OK_PREFIX)) {
          settle();
        } else if (startsWith(payload, HELLO_FAILED_PREFIX)) {
          settle(new Error(`connect refused: ${printable(payload)}`));
        }
      });
    });
  } catch (error) {
    connection.socket.destroy();
    throw error;
  }
  return connection;
}

/** What the frames of one turn said, counted by their first bytes. */
interface TurnCounts {
  accepted: boolean;
  agentEvents: number;
  chatEvents: number;
  deltas: number;
}

/**
 * A kept connection that runs one `agent` turn at a time: `turn()` sends the request and resolves
 * with an error text, or undefined when the final `res` came with every event the answer needs
 * (one `agent` event per delta plus lifecycle start, usage and lifecycle end; one `chat` event per
 * delta plus the final one).
 */
function createTurnCaller(
  connection: WsConnection,
  spec: WsTurnSpec,
  worker: number,
  callTag: number,
  timeoutMs: number,
) {
  const sessionKey = JSON.stringify(spec.sessionKeyFor(worker));
  const agentId = JSON.stringify(spec.agentId);
  let next = 0;
  let current:
    | (TurnCounts & { okPrefix: Buffer; failedPrefix: Buffer; done: (error: string | undefined) => void })
    | undefined;
  const finish = (error: string | undefined): void => {
    const turn = current;
    if (turn === undefined) return;
    current = undefined;
    turn.done(error);
  };
  connection.listen((payload) => {
    const turn = current;
    if (turn === undefined) return;
    const kind = payload[TYPE_AT];
    if (kind === CHAR.e) {
      const name = payload[EVENT_NAME_AT];
      if (name === CHAR.a) turn.agentEvents++;
      else if (name === CHAR.c && payload[EVENT_NAME_AT + 1] === CHAR.h) {
        turn.chatEvents++;
        if (payload.indexOf(STATE_DELTA) >= 0) turn.deltas++;
      }
      return;
    }
    if (kind !== CHAR.r) return;
    if (startsWith(payload, turn.okPrefix)) {
      if (!turn.accepted) {
        if (payload.indexOf(STATUS_ACCEPTED, turn.okPrefix.length) >= 0) turn.accepted = true;
        else finish(`the first answer was not accepted: ${printable(payload)}`);
        return;
      }
      if (payload.indexOf(STATUS_OK, turn.okPrefix.length) < 0) {
        finish(`final answer not ok: ${printable(payload)}`);
        return;
      }
      const expected = spec.expectedDeltas;
      finish(
        turn.deltas === expected && turn.agentEvents === expected + 3 && turn.chatEvents === expected + 1
          ? undefined
          : `${turn.deltas}/${expected} deltas, ${turn.agentEvents}/${expected + 3} agent and ${turn.chatEvents}/${expected + 1} chat events`,
      );
    } else if (startsWith(payload, turn.failedPrefix)) {
      finish(printable(payload));
    }
  });
  void connection.closed.then(() => finish(`connection closed (code ${connection.closeCode ?? 'none'})`));
  return {
    turn(): Promise<string | undefined> {
      next++;
      const id = `t${next}`;
      const request = `{"type":"req","id":"${id}","method":"agent","params":{"message":${MESSAGE_JSON},"idempotencyKey":"${spec.keyPrefix}-${callTag}-${worker}-${next}","agentId":${agentId},"sessionKey":${sessionKey}}}`;
      return new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => finish(`no final answer within ${timeoutMs} ms`), timeoutMs);
        current = {
          accepted: false,
          agentEvents: 0,
          chatEvents: 0,
          deltas: 0,
          okPrefix: ascii(`{"type":"res","id":"${id}","ok":true,"payload":`),
          failedPrefix: ascii(`{"type":"res","id":"${id}","ok":false`),
          done: (error) => {
            clearTimeout(timer);
            resolve(error);
          },
        };
        connection.send(request);
      });
    },
  };
}

type TurnCaller = ReturnType<typeof createTurnCaller>;

/** Calls of {@link runWsTurns} so far, part of every idempotency key. */
let wsTurnCalls = 0;

/** Options of {@link runWsTurns}: `concurrency` connections, each running its turns one after another. */
export interface WsFixedCountOptions extends MeasuredPhaseOptions {
  target: WsTarget;
  spec: WsTurnSpec;
  /** Longest a turn may take. @defaultValue 30_000 */
  turnTimeoutMs?: number;
}

/**
 * Opens `concurrency` connections (handshakes done before anything is counted), runs the warm-up
 * turns, then the measured ones on the same connections, and closes them.
 * @returns the measured phase only; `requests` are turns
 * @throws Error when a connection cannot be opened
 */
export async function runWsTurns(options: WsFixedCountOptions): Promise<ClosedLoopResult> {
  const connections = await Promise.all(
    Array.from({ length: options.concurrency }, () => connectAndHello(options.target)),
  );
  // A key is remembered for 5 minutes after its run: a repeated one would be answered from memory.
  wsTurnCalls++;
  const callers = connections.map((connection, worker) =>
    createTurnCaller(connection, options.spec, worker, wsTurnCalls, options.turnTimeoutMs ?? 30_000),
  );
  try {
    return await warmUpThenMeasure(options, async (worker, tally) => {
      const error = await (callers[worker] as TurnCaller).turn();
      countOutcome(tally, error === undefined ? 'ok' : 'error', error);
    });
  } finally {
    await Promise.all(connections.map((connection) => connection.close(2_000)));
  }
}

/** Options of {@link runWsHandshakes}. */
export interface WsHandshakeOptions extends MeasuredPhaseOptions {
  target: WsTarget;
}

/**
 * Closed loop of whole connections: each worker opens a connection, completes the handshake,
 * closes it (the close handshake) and starts over.
 * @returns the measured phase only; `requests` are connections
 */
export function runWsHandshakes(options: WsHandshakeOptions): Promise<ClosedLoopResult> {
  return warmUpThenMeasure(options, async (_worker, tally) => {
    try {
      const connection = await connectAndHello(options.target);
      await connection.close(2_000);
      countOutcome(tally, 'hello-ok');
    } catch (error) {
      countOutcome(tally, 'exception', error instanceof Error ? error.message : String(error));
    }
  });
}

/** The verdict on one turn, every frame parsed. */
export interface WsTurnCheck {
  ok: boolean;
  /** Frames of the turn: both `res` and every `agent` and `chat` event. */
  frames: number;
  bytes: number;
  deltas: number;
  /** Scopes `hello-ok` granted. */
  scopes: string[];
  problem?: string;
}

interface ParsedFrame {
  type?: string;
  id?: string;
  ok?: boolean;
  event?: string;
  payload?: Record<string, unknown> & {
    status?: string;
    stream?: string;
    state?: string;
    deltaText?: string;
    data?: { phase?: string; delta?: string; text?: string };
    message?: { content?: { text?: string }[] };
    result?: { payloads?: { text?: string }[] };
    auth?: { scopes?: string[] };
  };
}

/**
 * One connection, one turn, every frame parsed: the handshake grants `operator.write`, the turn is
 * accepted, its `agent` events are lifecycle start, one `assistant` per delta, usage and lifecycle
 * end, its `chat` events one delta per delta and a final one whose message is the deltas joined, and
 * the final answer is `ok` with that text. Proves the counts the loops rely on.
 */
export async function checkWsTurn(target: WsTarget, spec: WsTurnSpec, worker = 0): Promise<WsTurnCheck> {
  let connection: WsConnection;
  const frames: ParsedFrame[] = [];
  let bytes = 0;
  try {
    connection = await openWebSocket(target.origin, '/');
  } catch (error) {
    return { ok: false, frames: 0, bytes: 0, deltas: 0, scopes: [], problem: String(error) };
  }
  const problems: string[] = [];
  let scopes: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the checked turn did not end within 30 s')), 30_000);
      void connection.closed.then(() => reject(new Error(`closed (code ${connection.closeCode ?? 'none'})`)));
      connection.listen((payload) => {
        const frame = JSON.parse(payload.toString('utf8')) as ParsedFrame;
        if (frame.event === 'connect.challenge') {
          connection.send(connectRequest(target.token));
          return;
        }
        if (frame.id === CONNECT_ID) {
          if (frame.ok !== true || frame.payload?.type !== 'hello-ok') {
            reject(new Error(`connect refused: ${printable(payload)}`));
            return;
          }
          scopes = frame.payload?.auth?.scopes ?? [];
          connection.send(
            JSON.stringify({
              type: 'req',
              id: 'check',
              method: 'agent',
              params: {
                message: JSON.parse(MESSAGE_JSON) as string,
                idempotencyKey: `${spec.keyPrefix}-check-${worker}`,
                agentId: spec.agentId,
                sessionKey: spec.sessionKeyFor(worker),
              },
            }),
          );
          return;
        }
        if (frame.type === 'event' && frame.event !== 'agent' && frame.event !== 'chat') return;
        frames.push(frame);
        bytes += payload.length;
        if (frame.type === 'res' && frame.payload?.status !== 'accepted') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await connection.close(2_000);
  }
  const events = (name: string) => frames.filter((frame) => frame.type === 'event' && frame.event === name);
  const agent = events('agent');
  const chat = events('chat');
  const answers = frames.filter((frame) => frame.type === 'res');
  const chatDeltas = chat.filter((frame) => frame.payload?.state === 'delta');
  const assistant = agent.filter((frame) => frame.payload?.stream === 'assistant');
  const joined = chatDeltas.map((frame) => frame.payload?.deltaText ?? '').join('');
  const finalChat = chat.find((frame) => frame.payload?.state === 'final');
  const finalAnswer = answers.at(-1);
  const check = (condition: boolean, problem: string): void => {
    if (!condition) problems.push(problem);
  };
  if (problems.length === 0) {
    check(scopes.includes('operator.write'), `hello-ok granted ${scopes.join(', ') || 'no scopes'}`);
    check(answers[0]?.payload?.status === 'accepted', 'the first answer is not accepted');
    check(finalAnswer?.ok === true && finalAnswer.payload?.status === 'ok', 'the final answer is not ok');
    check(chatDeltas.length === spec.expectedDeltas, `${chatDeltas.length}/${spec.expectedDeltas} chat deltas`);
    check(assistant.length === spec.expectedDeltas, `${assistant.length}/${spec.expectedDeltas} assistant events`);
    check(agent[0]?.payload?.data?.phase === 'start', 'no lifecycle start first');
    check(
      agent.some((frame) => frame.payload?.stream === 'usage'),
      'no usage event',
    );
    check(agent.at(-1)?.payload?.data?.phase === 'end', 'no lifecycle end last');
    check(agent.length === spec.expectedDeltas + 3, `${agent.length} agent events`);
    check(chat.length === spec.expectedDeltas + 1, `${chat.length} chat events`);
    check(
      joined !== '' && finalChat?.payload?.message?.content?.[0]?.text === joined,
      'the final chat message is not the deltas joined',
    );
    check(
      finalAnswer?.payload?.result?.payloads?.[0]?.text === joined,
      'the final answer text is not the deltas joined',
    );
  }
  return {
    ok: problems.length === 0,
    frames: frames.length,
    bytes,
    deltas: chatDeltas.length,
    scopes,
    ...(problems.length > 0 ? { problem: problems.join(', ') } : {}),
  };
}

/** Options of {@link measureWsStreamStep}. */
export interface WsStreamStepOptions extends PacedStepOptions {
  target: WsTarget;
  spec: WsTurnSpec;
  /** Handshakes in flight at once while connecting (not part of the step). @defaultValue 256 */
  connectConcurrency?: number;
}

/** Outcome of one step, in the HTTP steps' shape. */
export type WsStreamStepResult = StreamStepVerdict & {
  /** Time to open and handshake every connection before the step, ms (not part of the verdict). */
  connectMs: number;
  /** Wall time of the step itself, ms. */
  stepMs: number;
};

/**
 * N connections, each handshaken before the step, each starting one `agent` turn (spread over the
 * ramp) whose frames are watched as the HTTP steps watch a stream: every delta must arrive, no
 * connection may wait over `maxGapMs` for its first frame or between two frames.
 */
export async function measureWsStreamStep(options: WsStreamStepOptions): Promise<WsStreamStepResult> {
  const connectStarted = performance.now();
  const connections: WsConnection[] = [];
  let connectError: string | undefined;
  let nextToOpen = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.connectConcurrency ?? 256, options.streams) }, async () => {
      while (nextToOpen < options.streams && connectError === undefined) {
        nextToOpen++;
        try {
          connections.push(await connectAndHello(options.target, 30_000));
        } catch (error) {
          connectError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const connectMs = performance.now() - connectStarted;
  if (connectError !== undefined) {
    for (const connection of connections) connection.socket.destroy();
    return connectFailedStep(options.streams, connections.length, connectError, { connectMs, stepMs: 0 });
  }
  const result = await holdStreams(
    connections,
    options,
    (connection, worker, timedOut, delayMs) => runOneTurnStream(connection, options.spec, worker, timedOut, delayMs),
    (stepMs) => ({ connectMs, stepMs }),
  );
  await Promise.all(connections.map((connection) => connection.close(2_000)));
  return result;
}

/** One turn on a handshaken connection, its arrivals timed. */
function runOneTurnStream(
  connection: WsConnection,
  spec: WsTurnSpec,
  worker: number,
  timedOut: Promise<void>,
  delayMs: number,
): Promise<StreamOutcome> {
  return new Promise<StreamOutcome>((resolve) => {
    const id = 's';
    const okPrefix = ascii(`{"type":"res","id":"${id}","ok":true,"payload":`);
    const failedPrefix = ascii(`{"type":"res","id":"${id}","ok":false`);
    const timer = new ArrivalTimer();
    let deltas = 0;
    let accepted = false;
    let settled = false;
    const finish = (status: StreamOutcome['status'], error?: string): void => {
      if (settled) return;
      settled = true;
      resolve(timer.outcome(status, error));
    };
    connection.listen((payload) => {
      if (!timer.sent) return;
      timer.arrived();
      const kind = payload[TYPE_AT];
      if (kind === CHAR.e) {
        if (
          payload[EVENT_NAME_AT] === CHAR.c &&
          payload[EVENT_NAME_AT + 1] === CHAR.h &&
          payload.indexOf(STATE_DELTA) >= 0
        )
          deltas++;
        return;
      }
      if (kind !== CHAR.r) return;
      if (startsWith(payload, okPrefix)) {
        if (!accepted) {
          accepted = true;
          return;
        }
        if (payload.indexOf(STATUS_OK, okPrefix.length) < 0) finish('error', printable(payload));
        else if (deltas === spec.expectedDeltas) finish('complete');
        else finish('incomplete', `final answer after ${deltas}/${spec.expectedDeltas} deltas`);
      } else if (startsWith(payload, failedPrefix)) {
        finish('error', printable(payload));
      }
    });
    void connection.closed.then(() =>
      finish(
        'incomplete',
        `closed (code ${connection.closeCode ?? 'none'}) after ${deltas}/${spec.expectedDeltas} deltas`,
      ),
    );
    void timedOut.then(() => finish('incomplete', `step timed out after ${deltas}/${spec.expectedDeltas} deltas`));
    const send = setTimeout(() => {
      timer.markSent();
      connection.send(
        `{"type":"req","id":"${id}","method":"agent","params":{"message":${MESSAGE_JSON},"idempotencyKey":"${spec.keyPrefix}-${worker}","agentId":${JSON.stringify(spec.agentId)},"sessionKey":${JSON.stringify(spec.sessionKeyFor(worker))}}}`,
      );
    }, delayMs);
    void timedOut.then(() => clearTimeout(send));
  });
}
