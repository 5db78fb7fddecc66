// Throughput benchmark, not a test: `pnpm --filter @clawgate/sse bench` (add `--smoke` for a quick
// run that only proves the script works). Prints one table; figures go in the README by hand.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createSseResponseWriter, decodeSseStream, encodeSseDone, encodeSseJson } from './index.js';

const smoke = process.argv.includes('--smoke');
const eventCount = smoke ? 200 : 10_000;
const rounds = smoke ? 1 : 5;

function chunk(index: number): unknown {
  // Shaped like a real OpenAI content delta, so sizes (~250 bytes) match production frames.
  return {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, delta: { content: `token ${index} — grüße 🙂` }, logprobs: null, finish_reason: null }],
  };
}

const chunks = Array.from({ length: eventCount }, (_, index) => chunk(index));

interface Row {
  name: string;
  value: string;
}

/** Runs `body` `rounds` times and returns the best (least disturbed) duration in ms. */
async function best(body: () => unknown): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    await body();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

async function benchEncoder(): Promise<Row> {
  let sink = 0;
  const milliseconds = await best(() => {
    for (const value of chunks) {
      sink += encodeSseJson(value).length;
    }
  });
  if (sink === 0) throw new Error('encoder produced nothing');
  return {
    name: `encodeSseJson, ${eventCount} events`,
    value: `${Math.round(eventCount / (milliseconds / 1000)).toLocaleString('en-US')} events/s`,
  };
}

async function benchDecoder(chunkSize: number): Promise<Row> {
  const wire = new TextEncoder().encode(chunks.map((value) => encodeSseJson(value)).join('') + encodeSseDone());
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < wire.length; offset += chunkSize) {
    pieces.push(wire.subarray(offset, offset + chunkSize));
  }
  let decoded = 0;
  const milliseconds = await best(async () => {
    decoded = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield* pieces;
    }
    for await (const result of decodeSseStream(source())) {
      if (result.success) decoded += 1;
    }
  });
  if (decoded !== eventCount) throw new Error(`decoded ${decoded} of ${eventCount} events`);
  const megabytes = wire.length / 1024 / 1024;
  return {
    name: `decodeSseStream, ${eventCount} events (${megabytes.toFixed(2)} MiB, ${chunkSize} B chunks)`,
    value: `${(megabytes / (milliseconds / 1000)).toFixed(1)} MiB/s`,
  };
}

async function benchWriter(): Promise<Row> {
  // End to end over a loopback socket: encoder + writer + kernel + a client that reads at full speed.
  const server = createServer((_request, response) => {
    const writer = createSseResponseWriter(response, { heartbeatMs: 0 });
    void (async () => {
      for (const value of chunks) await writer.writeJson(value);
      await writer.writeDone();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const milliseconds = await best(
    () =>
      new Promise<void>((resolve, reject) => {
        request(`http://127.0.0.1:${port}/`, (message) => {
          message.on('data', () => undefined);
          message.on('end', resolve);
        })
          .on('error', reject)
          .end();
      }),
  );
  await new Promise((resolve) => server.close(resolve));
  return {
    name: `createSseResponseWriter over HTTP, ${eventCount} events`,
    value: `${Math.round(eventCount / (milliseconds / 1000)).toLocaleString('en-US')} events/s`,
  };
}

const rows = [await benchEncoder(), await benchDecoder(16 * 1024), await benchDecoder(256), await benchWriter()];
const width = Math.max(...rows.map((row) => row.name.length));
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, best of ${rounds}${smoke ? ' (smoke)' : ''}`,
);
console.log(`${'benchmark'.padEnd(width)}  result`);
console.log(`${'-'.repeat(width)}  ${'-'.repeat(18)}`);
for (const row of rows) {
  console.log(`${row.name.padEnd(width)}  ${row.value}`);
}
