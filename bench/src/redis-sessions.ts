/**
 * The Redis side of the Redis-store CPU row: is a server there, and removing exactly the sessions
 * one run created (never a flush, never a pattern scan: the server may be shared).
 *
 * Speaks the few RESP commands it needs over `node:net` rather than pulling a Redis client into the
 * benchmark's load-generator process.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';

/** The Redis the benchmark uses, as the gateway's tests do. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The keys the gateway's Redis store keeps for the session of an OpenAI `user` on an agent. Mirrors
 * `apps/gateway/src/sessions/redis-session-keys.ts` (fixed prefix `clawgate:`) and the user key of
 * `@clawgate/session-key` (`agent:<agent>:openai-user:<lower-cased user>`); if those change, the
 * clean-up deletes nothing and the runner warns.
 */
export function redisSessionKeysOfUser(agentId: string, user: string): string[] {
  const hash = createHash('sha256').update(`agent:${agentId}:openai-user:${user.toLowerCase()}`, 'utf8').digest('hex');
  return [`clawgate:session:{${hash}}`, `clawgate:session-lock:{${hash}}`, `clawgate:session-next:{${hash}}`];
}

function encodeCommand(parts: readonly string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

/**
 * Sends one command and gives the first reply line (`+PONG`, `:3`, `-ERR …`).
 * @throws Error when the server cannot be reached or does not answer within `timeoutMs`
 */
function sendCommand(url: string, parts: readonly string[], timeoutMs: number): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:')
    return Promise.reject(new Error(`only redis:// URLs are supported here, not ${parsed.protocol}`));
  const commands: string[][] = [];
  if (parsed.password !== '') {
    const password = decodeURIComponent(parsed.password);
    commands.push(
      parsed.username === '' ? ['AUTH', password] : ['AUTH', decodeURIComponent(parsed.username), password],
    );
  }
  const database = parsed.pathname.replace(/^\//, '');
  if (database !== '') commands.push(['SELECT', database]);
  commands.push([...parts]);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${parsed.host} within ${timeoutMs} ms`));
    }, timeoutMs);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (text: string) => {
      received += text;
      const lines = received.split('\r\n');
      // One reply line per command (AUTH/SELECT answer +OK, the last command a simple reply).
      if (lines.length <= commands.length) return;
      clearTimeout(timer);
      socket.end();
      const failed = lines.slice(0, commands.length).find((line) => line.startsWith('-'));
      if (failed !== undefined) reject(new Error(`redis: ${failed.slice(1)}`));
      else resolve(lines[commands.length - 1] ?? '');
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Whether a Redis server answers PING at `url`.
 * @returns the reason when it does not
 */
export async function checkRedis(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const reply = await sendCommand(url, ['PING'], 2_000);
    return reply === '+PONG' ? { ok: true } : { ok: false, reason: `PING answered ${reply}` };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Deletes the given keys.
 * @returns how many existed
 */
export async function deleteRedisKeys(url: string, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const reply = await sendCommand(url, ['DEL', ...keys], 5_000);
  return Number(reply.slice(1));
}
