/**
 * CPU per stored-session turn of the session stores, at steady state: what a chat request with a
 * `user` adds to a stateless one (runExclusive → load → append), measured in-process without HTTP.
 *
 * Setup: 16 sessions whose transcripts already hold 200–400 messages of ~60 characters (so the
 * file store meets both fresh and due-for-compaction sessions), `maxMessages` 200 (the default
 * `maxHistoryMessages`), 16 sessions running turns concurrently. CPU is the whole process'
 * (`process.cpuUsage`, so libuv's thread pool and the store's background work count), divided by
 * the turns, after `close()` has waited for every background task.
 *
 * For Redis it also counts the commands sent per turn (each one a network round trip: the store
 * does not pipeline), including the lock's acquire and release.
 *
 * Usage: node --import tsx src/sessions/session-store.bench.ts [file|memory|redis ...] [--turns=N] [--rounds=N]
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileSessionStore, sessionFilePath } from './file-session-store.js';
import { createMemorySessionStore } from './memory-session-store.js';
import { createRedisSessionStore } from './redis-session-store.js';
import type { SessionStore, TranscriptTurn } from './session-store.js';

const SESSIONS = 16;
const MAX_MESSAGES = 200;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  Number(args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const turnsPerRound = option('turns', 4_000);
const rounds = option('rounds', 5);
const kinds = args.filter((arg) => !arg.startsWith('--'));

/** Commands every ioredis client of this process has sent (the store's client is created inside it). */
let redisCommands = 0;
if (kinds.includes('redis')) {
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedSendCommand(
    this: InstanceType<typeof Redis>,
    ...rest: Parameters<typeof send>
  ) {
    redisCommands += 1;
    return send.apply(this, rest);
  };
}

/** A deterministic ~60-character message text. */
const text = (index: number, role: string) =>
  `${role} message number ${index}: ${'lorem ipsum dolor sit amet '.slice(0, 30)}`;

function turnAt(index: number): TranscriptTurn {
  return {
    createdAt: new Date(1_767_225_600_000 + index * 1_000).toISOString(),
    messages: [
      { role: 'user', content: text(index, 'user') },
      { role: 'assistant', content: text(index, 'assistant') },
    ],
    meta: { agentId: 'main', model: 'mock/echo', messageChannel: 'webchat', finishReason: 'stop' },
  };
}

/** Stored turns of session `session` at the start: 100–200 turns, spread evenly over the sessions. */
const seededTurns = (session: number) => 100 + Math.round((100 * session) / (SESSIONS - 1));

interface Bench {
  store: SessionStore;
  seed(sessionKey: string, turns: TranscriptTurn[]): Promise<void>;
  cleanUp(): Promise<void>;
}

async function createBench(kind: string): Promise<Bench> {
  if (kind === 'file') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-session-bench-'));
    return {
      store: createFileSessionStore({ dir }),
      // Written directly, as a previous gateway process would have left them.
      seed: (sessionKey, turns) =>
        writeFile(
          sessionFilePath(dir, sessionKey),
          turns.map((turn) => `${JSON.stringify({ v: 1, ...turn })}\n`).join(''),
          { mode: 0o600 },
        ),
      cleanUp: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (kind === 'memory') {
    const store = createMemorySessionStore();
    return {
      store,
      seed: async (sessionKey, turns) => {
        for (const turn of turns) await store.append(sessionKey, turn);
      },
      cleanUp: async () => undefined,
    };
  }
  if (kind === 'redis') {
    const prefix = `clawgate-bench:${randomUUID()}:`;
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const store = createRedisSessionStore({ url, prefix });
    await store.ready();
    return {
      store,
      seed: (sessionKey, turns) =>
        store.runExclusive(sessionKey, async () => {
          for (const turn of turns) await store.append(sessionKey, turn);
        }),
      cleanUp: async () => {
        const { Redis } = await import('ioredis');
        const admin = new Redis(url);
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
        admin.disconnect();
      },
    };
  }
  throw new Error(`unknown store kind ${kind} (file, memory or redis)`);
}

/** One round on a fresh store: seed, one warm-up turn per session, then `turns` measured turns. */
async function round(
  kind: string,
  turns: number,
): Promise<{ cpuMicros: number; wallMicros: number; commands: number }> {
  const bench = await createBench(kind);
  const keys = Array.from({ length: SESSIONS }, (_, index) => `agent:main:openai-user:bench-${index}`);
  const next = keys.map((_, index) => seededTurns(index));
  for (const [index, key] of keys.entries()) {
    await bench.seed(
      key,
      Array.from({ length: next[index]! }, (_, turn) => turnAt(turn)),
    );
  }
  const runTurn = (index: number) =>
    bench.store.runExclusive(keys[index]!, async () => {
      const history = await bench.store.load(keys[index]!, { maxMessages: MAX_MESSAGES });
      if (history.length === 0) throw new Error('the bench expects stored history');
      await bench.store.append(keys[index]!, turnAt(next[index]!));
      next[index]! += 1;
    });
  // Warm-up: every session touched once (the file store's first read happens here), JIT settled.
  for (let pass = 0; pass < 20; pass += 1) await Promise.all(keys.map((_, index) => runTurn(index)));

  const perSession = Math.ceil(turns / SESSIONS);
  const commandsBefore = redisCommands;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await Promise.all(
    keys.map(async (_, index) => {
      for (let turn = 0; turn < perSession; turn += 1) await runTurn(index);
    }),
  );
  // Background work (e.g. compaction) caused by these turns is part of their cost.
  await bench.store.close();
  const cpu = process.cpuUsage(cpuBefore);
  const commands = (redisCommands - commandsBefore) / (perSession * SESSIONS);
  const wallMicros = ((performance.now() - wallBefore) * 1_000) / (perSession * SESSIONS);
  await bench.cleanUp();
  return { cpuMicros: (cpu.user + cpu.system) / (perSession * SESSIONS), wallMicros, commands };
}

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

for (const kind of kinds.length > 0 ? kinds : ['file', 'memory']) {
  const results = [];
  for (let index = 0; index < rounds; index += 1) results.push(await round(kind, turnsPerRound));
  const cpu = results.map((result) => result.cpuMicros);
  console.log(
    `${kind.padEnd(6)} CPU per turn: median ${median(cpu).toFixed(1)} µs (rounds: ${cpu.map((value) => value.toFixed(0)).join(', ')}); ` +
      `wall per turn (16 concurrent): ${median(results.map((result) => result.wallMicros)).toFixed(1)} µs` +
      (kind === 'redis'
        ? `; Redis round trips per turn: ${median(results.map((result) => result.commands)).toFixed(2)}`
        : ''),
  );
}
