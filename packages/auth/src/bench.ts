// Decisions per second of `authorize` for the memory and Redis stores (success, 401, 429 paths).
// Not a test: run `pnpm --filter @clawgate/auth bench` (or `-- --smoke` for a quick sanity pass).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import { createGatewayAuthorizer, type GatewayAuthorizer } from './create-gateway-authorizer.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

const smoke = process.argv.includes('--smoke');
const durationMs = smoke ? 150 : 3_000;
const secret = 'bench-secret-0123456789abcdef';
const write = { requiredScope: 'operator.write' };

interface Row {
  store: string;
  path: string;
  decisions: number;
  perSecond: number;
}

/** Runs `concurrency` loops of `step` until the deadline; returns decisions per second. */
async function measure(concurrency: number, step: (index: number) => Promise<unknown>) {
  let count = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await step(count);
        count += 1;
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { decisions: count, perSecond: Math.round((count / elapsed) * 1000) };
}

/** 10.x.y.z from a counter, so each 401 comes from a fresh client that never locks. */
function addressFor(index: number): string {
  return `10.${(index >> 16) & 0xff}.${(index >> 8) & 0xff}.${index & 0xff}`;
}

async function benchStore(name: string, store: RateLimitStore, concurrency: number): Promise<Row[]> {
  const authorizer: GatewayAuthorizer = createGatewayAuthorizer({
    auth: { mode: 'token', secret },
    rateLimit: { store },
  });
  const rows: Row[] = [];
  const success = await measure(concurrency, () =>
    authorizer.authorize({ headers: { authorization: `Bearer ${secret}` }, remoteAddress: '192.0.2.1' }, write),
  );
  rows.push({ store: name, path: 'success (200)', ...success });
  const refused = await measure(concurrency, (index) =>
    authorizer.authorize({ headers: { authorization: 'Bearer wrong' }, remoteAddress: addressFor(index) }, write),
  );
  rows.push({ store: name, path: 'wrong secret (401)', ...refused });
  // Lock one client first, then every request takes the 429 short cut.
  for (let index = 0; index < 10; index += 1) {
    await authorizer.authorize({ headers: { authorization: 'Bearer wrong' }, remoteAddress: '192.0.2.99' }, write);
  }
  const locked = await measure(concurrency, () =>
    authorizer.authorize({ headers: { authorization: `Bearer ${secret}` }, remoteAddress: '192.0.2.99' }, write),
  );
  rows.push({ store: name, path: 'locked (429)', ...locked });
  return rows;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const memory = new MemoryRateLimitStore();
  rows.push(...(await benchStore('memory', memory, 1)));
  memory.close();

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  const prefix = `clawgate-bench:auth:${randomUUID()}:`;
  try {
    await client.connect();
    rows.push(...(await benchStore('redis (64 in flight)', new RedisRateLimitStore({ client, prefix }), 64)));
    // Remove every key this run wrote (SCAN keeps Redis responsive even with many keys).
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    console.warn(`Redis at ${redisUrl} unavailable, skipped: ${(error as Error).message}`);
  } finally {
    client.disconnect();
  }

  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, ${durationMs} ms per case${smoke ? ' (smoke)' : ''}`,
  );
  console.table(
    rows.map((row) => ({ store: row.store, path: row.path, decisions: row.decisions, 'decisions/s': row.perSecond })),
  );
}

await main();
