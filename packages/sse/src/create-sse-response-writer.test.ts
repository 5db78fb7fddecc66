import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSseResponseWriter,
  type SseResponseWriter,
  type SseResponseWriterOptions,
} from './create-sse-response-writer.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Starts a real server whose single route hands its response to `handler`, and returns its URL. */
async function startServer(handler: (response: ServerResponse) => void | Promise<void>): Promise<string> {
  const server = createServer((_request, response) => {
    void handler(response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A promise plus its resolver, for handing values from the server handler to the test. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Opens a raw request so the test controls reading (pause/resume/destroy). */
function openRequest(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const clientRequest = httpRequest(url, resolve);
    clientRequest.on('error', reject);
    clientRequest.end();
  });
}

function readAll(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    message.setEncoding('utf8');
    message.on('data', (chunk: string) => {
      body += chunk;
    });
    message.on('end', () => resolve(body));
    message.on('error', reject);
  });
}

/**
 * Sends `requestText` on a raw socket (so nothing on the client side closes it) and reports the
 * response head, the body, and how long after `data: [DONE]` the server closed the socket
 * (`Infinity` when it had not within 6 s).
 */
function rawExchange(
  url: string,
  requestText: string,
): Promise<{ head: string; body: string; closedAfterDoneMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    let text = '';
    let doneAt: number | undefined;
    const report = (closedAfterDoneMs: number) => {
      clearTimeout(bound);
      socket.destroy();
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4), closedAfterDoneMs });
    };
    const bound = setTimeout(() => report(Number.POSITIVE_INFINITY), 6_000);
    socket.setEncoding('utf8');
    socket.on('data', (piece: string) => {
      text += piece;
      if (doneAt === undefined && text.includes('data: [DONE]\n\n')) doneAt = performance.now();
    });
    socket.on('close', () =>
      doneAt === undefined ? reject(new Error(`closed before [DONE]: ${text}`)) : report(performance.now() - doneAt),
    );
    socket.on('error', () => undefined);
    socket.write(requestText);
  });
}

function settledWithin(promise: Promise<unknown>, milliseconds: number): Promise<boolean> {
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), milliseconds)),
  ]);
}

async function withWriter(
  options: SseResponseWriterOptions,
  script: (writer: SseResponseWriter, response: ServerResponse) => Promise<void>,
): Promise<{ message: IncomingMessage; done: Promise<void> }> {
  // Wrapped in an object: resolving a deferred with a bare promise would wait for the whole script.
  const handled = deferred<{ done: Promise<void> }>();
  const url = await startServer((response) => {
    const writer = createSseResponseWriter(response, options);
    handled.resolve({ done: script(writer, response) });
  });
  const message = await openRequest(url);
  return { message, done: (await handled.promise).done };
}

describe('createSseResponseWriter', () => {
  it('sends 200 with the SSE headers before any body, flushed at once', async () => {
    const release = deferred<void>();
    const { message, done } = await withWriter(
      { heartbeatMs: 0, extraHeaders: { 'x-request-id': 'req-1' } },
      async (writer) => {
        writer.start();
        writer.start();
        await release.promise;
        await writer.writeDone();
      },
    );
    // The response arrived although no frame was written yet: the headers were flushed by start().
    expect(message.statusCode).toBe(200);
    expect(message.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(message.headers['cache-control']).toBe('no-cache');
    expect(message.headers.connection).toBe('keep-alive');
    expect(message.headers['x-request-id']).toBe('req-1');
    release.resolve();
    expect(await readAll(message)).toBe('data: [DONE]\n\n');
    await done;
  });

  it('lets extraHeaders override the defaults', async () => {
    const { message, done } = await withWriter(
      { heartbeatMs: 0, extraHeaders: { 'cache-control': 'no-cache, no-transform' } },
      async (writer) => {
        await writer.writeDone();
      },
    );
    expect(message.headers['cache-control']).toBe('no-cache, no-transform');
    await readAll(message);
    await done;
  });

  it('answers a client that sent Connection: close with Connection: close and closes the socket right after [DONE]', async () => {
    const url = await startServer(async (response) => {
      const writer = createSseResponseWriter(response, { heartbeatMs: 0 });
      await writer.writeJson({ n: 1 });
      await writer.writeDone();
    });
    const exchange = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(exchange.head).toMatch(/\r\nconnection: close(\r\n|$)/i);
    expect(exchange.body).toContain('data: {"n":1}\n\n');
    // Node's keep-alive timeout (5 s) is what held the socket when the writer said keep-alive.
    expect(exchange.closedAfterDoneMs).toBeLessThan(2_000);
  });

  it('keeps a Connection: close the application set before start (e.g. while draining), and closes after [DONE]', async () => {
    const url = await startServer(async (response) => {
      response.setHeader('Connection', 'close');
      const writer = createSseResponseWriter(response, { heartbeatMs: 0 });
      await writer.writeDone();
    });
    const exchange = await rawExchange(url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(exchange.head).toMatch(/\r\nconnection: close(\r\n|$)/i);
    expect(exchange.closedAfterDoneMs).toBeLessThan(2_000);
  });

  it('says keep-alive to an HTTP/1.1 client that keeps its connection', async () => {
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer) => {
      await writer.writeDone();
    });
    expect(message.headers.connection).toBe('keep-alive');
    await readAll(message);
    await done;
  });

  it('writes frames in order and ends with [DONE] exactly once', async () => {
    let closedAfterDone: boolean | undefined;
    let abortedAfterDone: boolean | undefined;
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer) => {
      await Promise.all([
        writer.writeJson({ n: 1 }),
        writer.writeEvent({ event: 'note', id: '7', data: 'a\nb' }),
        writer.writeComment('hello'),
      ]);
      const first = writer.writeDone();
      const second = writer.writeDone();
      expect(second).toBe(first);
      await writer.writeJson({ after: 'done' });
      await first;
      await writer.writeDone();
      closedAfterDone = writer.closed;
      abortedAfterDone = writer.signal.aborted;
    });
    expect(await readAll(message)).toBe(
      'data: {"n":1}\n\nevent: note\nid: 7\ndata: a\ndata: b\n\n: hello\n\ndata: [DONE]\n\n',
    );
    await done;
    expect(closedAfterDone).toBe(true);
    expect(abortedAfterDone).toBe(false);
  });

  it('rejects an unserialisable value with a TypeError and keeps the stream usable', async () => {
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer) => {
      await expect(writer.writeJson(10n)).rejects.toThrow(TypeError);
      await expect(writer.writeEvent({ data: 'x', event: 'a\nb' })).rejects.toThrow(
        'SSE `event` must not contain CR or LF characters',
      );
      await writer.writeJson({ ok: true });
      await writer.writeDone();
    });
    expect(await readAll(message)).toBe('data: {"ok":true}\n\ndata: [DONE]\n\n');
    await done;
  });

  it('throws a TypeError for an invalid heartbeatMs', () => {
    const server = createServer();
    const response = { on: () => undefined } as unknown as ServerResponse;
    for (const heartbeatMs of [-1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => createSseResponseWriter(response, { heartbeatMs })).toThrow(
        new TypeError(
          `heartbeatMs must be an integer between 0 and 2147483647 (0 disables heartbeats), received ${String(heartbeatMs)}`,
        ),
      );
    }
    server.close();
  });

  it('sends : ping only after heartbeatMs without writes, and stops at the end', async () => {
    const heartbeatMs = 40;
    const pingTimes: number[] = [];
    let lastWriteAt = 0;
    const { message, done } = await withWriter({ heartbeatMs }, async (writer, response) => {
      const originalWrite = response.write.bind(response) as (chunk: string) => boolean;
      // Observe (not replace) what goes to the socket, to time each ping against the last write.
      response.write = ((chunk: string) => {
        if (chunk === ': ping\n\n') {
          pingTimes.push(performance.now());
        }
        return originalWrite(chunk);
      }) as typeof response.write;
      // Taken before the write: the idle timer is armed during it, so a loaded machine that resumes
      // this test late cannot make the first ping look early.
      lastWriteAt = performance.now();
      await writer.writeJson({ n: 1 });
      // Bounded wait for two pings (at most 3 s).
      for (let attempt = 0; attempt < 300 && pingTimes.length < 2; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await writer.writeDone();
      // After the end, no timer may fire again.
      await new Promise((resolve) => setTimeout(resolve, heartbeatMs * 3));
    });
    const body = await readAll(message);
    await done;
    // At least two pings; a heavily loaded machine may poll late and let a third one through.
    expect(pingTimes.length).toBeGreaterThanOrEqual(2);
    // Every ping sent reached the client in order, and none followed [DONE].
    expect(body).toBe(`data: {"n":1}\n\n${': ping\n\n'.repeat(pingTimes.length)}data: [DONE]\n\n`);
    // Timers may fire a millisecond early by rounding; never meaningfully before the idle period.
    expect((pingTimes[0] ?? 0) - lastWriteAt).toBeGreaterThanOrEqual(heartbeatMs - 2);
    expect((pingTimes[1] ?? 0) - (pingTimes[0] ?? 0)).toBeGreaterThanOrEqual(heartbeatMs - 2);
  });

  it('sends no ping while writes come faster than heartbeatMs, and one once they stop', async () => {
    const heartbeatMs = 100;
    const frames = 30;
    const written: { chunk: string; at: number }[] = [];
    let writesStopped = false;
    const pingAfterWrites = deferred<void>();
    let flowStart = 0;
    let flowEnd = 0;
    const { message, done } = await withWriter({ heartbeatMs }, async (writer, response) => {
      const originalWrite = response.write.bind(response) as (chunk: string) => boolean;
      // Observe (not replace) what goes to the socket, to time each ping against the write before it.
      response.write = ((chunk: string) => {
        written.push({ chunk, at: performance.now() });
        if (chunk === ': ping\n\n' && writesStopped) pingAfterWrites.resolve();
        return originalWrite(chunk);
      }) as typeof response.write;
      flowStart = performance.now();
      // A write every tenth of heartbeatMs, over about three heartbeat periods: the traffic itself.
      for (let index = 0; index < frames; index += 1) {
        await writer.writeJson({ index });
        await new Promise((resolve) => setTimeout(resolve, heartbeatMs / 10));
      }
      flowEnd = performance.now();
      writesStopped = true;
      // Then silence: the writer must ping on its own (the test timeout bounds this wait).
      await pingAfterWrites.promise;
      await writer.writeDone();
    });
    const body = await readAll(message);
    await done;
    // The writes spanned several heartbeat periods, so a ping not reset by writes would have fired.
    expect(flowEnd - flowStart).toBeGreaterThanOrEqual(3 * heartbeatMs - 2);
    // Every ping followed a real silence of heartbeatMs (timers may round a millisecond early); a
    // loaded machine may stall the loop past heartbeatMs, and a ping after such a gap is correct.
    const pingGaps = written.flatMap((entry, index) =>
      entry.chunk === ': ping\n\n' ? [entry.at - (written[index - 1]?.at ?? flowStart)] : [],
    );
    expect(pingGaps.length).toBeGreaterThanOrEqual(1);
    for (const gap of pingGaps) expect(gap).toBeGreaterThanOrEqual(heartbeatMs - 2);
    // The last data write and the ping after it: the silence, then the ping.
    const lastData = written.reduce((last, entry, index) => (entry.chunk.startsWith('data: {') ? index : last), -1);
    expect(written[lastData + 1]?.chunk).toBe(': ping\n\n');
    expect(body.replaceAll(': ping\n\n', '')).toBe(
      `${Array.from({ length: frames }, (_, index) => `data: {"index":${index}}\n\n`).join('')}data: [DONE]\n\n`,
    );
  });

  it('does not keep the event loop alive with its heartbeat timer', async () => {
    const countTimeouts = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const counts = deferred<{ before: number; after: number; withRefTimer: number }>();
    const { message, done } = await withWriter({ heartbeatMs: 60_000 }, async (writer) => {
      const before = countTimeouts();
      writer.start();
      const after = countTimeouts();
      // Control: a ref'd timer is counted, so the assertion below can fail.
      const control = setTimeout(() => undefined, 60_000);
      const withRefTimer = countTimeouts();
      clearTimeout(control);
      counts.resolve({ before, after, withRefTimer });
      await writer.writeDone();
    });
    const { before, after, withRefTimer } = await counts.promise;
    expect(after).toBe(before);
    expect(withRefTimer).toBe(before + 1);
    await readAll(message);
    await done;
  });

  it('aborts the signal when the client disconnects, and later writes resolve without writing', async () => {
    const state = deferred<SseResponseWriter>();
    const url = await startServer(async (response) => {
      const writer = createSseResponseWriter(response, { heartbeatMs: 0 });
      await writer.writeJson({ n: 1 });
      state.resolve(writer);
    });
    const message = await openRequest(url);
    const writer = await state.promise;
    expect(writer.signal.aborted).toBe(false);
    expect(writer.closed).toBe(false);
    const aborted = new Promise<void>((resolve) => writer.signal.addEventListener('abort', () => resolve()));
    message.destroy();
    expect(await settledWithin(aborted, 2000)).toBe(true);
    expect(writer.closed).toBe(true);
    expect(writer.signal.reason).toEqual(new Error('SSE client disconnected before the stream finished'));
    await expect(writer.writeJson({ n: 2 })).resolves.toBeUndefined();
    await expect(writer.writeComment('late')).resolves.toBeUndefined();
    await expect(writer.writeDone()).resolves.toBeUndefined();
  });

  it('waits for drain instead of buffering without bound when the client reads slowly', async () => {
    // Smaller than the high-water mark (16 KiB on Node 20, 64 KiB from Node 22), so some writes fit
    // and some fill the buffer.
    const frame = 'x'.repeat(10_000);
    const frameBytes = Buffer.byteLength(`data: ${JSON.stringify(frame)}\n\n`);
    const totalFrames = 2500; // 25 MB: far more than the loopback socket buffers can absorb.
    let completedWrites = 0;
    let maxWritableLength = 0;
    let serverResponse: ServerResponse | undefined;
    let drainCount = 0;
    let resolvedBeforeDrain = 0;
    let fullBufferWrites = 0;
    let writeCalls = 0;
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer, response) => {
      serverResponse = response;
      response.on('drain', () => {
        drainCount += 1;
      });
      const originalWrite = response.write.bind(response) as (chunk: string) => boolean;
      // Observe (not replace) write(): `false` means the writer must now wait for drain.
      response.write = ((chunk: string) => {
        writeCalls += 1;
        const flushed = originalWrite(chunk);
        if (!flushed) {
          fullBufferWrites += 1;
        }
        return flushed;
      }) as typeof response.write;
      for (let index = 0; index < totalFrames; index += 1) {
        const drainsBefore = drainCount;
        const fullBefore = fullBufferWrites;
        await writer.writeJson(frame);
        if (fullBufferWrites > fullBefore && drainCount === drainsBefore) {
          resolvedBeforeDrain += 1;
        }
        maxWritableLength = Math.max(maxWritableLength, response.writableLength);
        completedWrites += 1;
      }
      await writer.writeDone();
    });
    message.pause();
    // Bounded wait until the writer stalls: no progress for 300 ms (at most 5 s). Meanwhile sample
    // what the response holds in user space.
    let previous = -1;
    let maxPausedWritableLength = 0;
    for (let attempt = 0; attempt < 250 && completedWrites !== previous; attempt += 1) {
      previous = completedWrites;
      for (let sample = 0; sample < 15; sample += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        maxPausedWritableLength = Math.max(maxPausedWritableLength, serverResponse?.writableLength ?? 0);
      }
    }
    const stalledAt = completedWrites;
    expect(stalledAt).toBeLessThan(totalFrames);
    // Exactly one write is in flight while stalled: nothing queues up behind the full buffer.
    expect(writeCalls).toBe(stalledAt + 1);
    expect(serverResponse?.writableLength).toBeGreaterThan(0);
    // User-space buffering is bounded by the high-water mark plus the one frame that crossed it.
    const highWaterMark = serverResponse?.writableHighWaterMark ?? 0;
    expect(maxPausedWritableLength).toBeLessThanOrEqual(highWaterMark + frameBytes);
    const drainsWhilePaused = drainCount;

    message.resume();
    const body = await readAll(message);
    await done;
    expect(drainCount).toBeGreaterThan(drainsWhilePaused);
    expect(fullBufferWrites).toBeGreaterThan(0);
    expect(resolvedBeforeDrain).toBe(0);
    expect(completedWrites).toBe(totalFrames);
    expect(body.length).toBe(totalFrames * frameBytes + 'data: [DONE]\n\n'.length);
    expect(body.endsWith(`${JSON.stringify(frame)}\n\ndata: [DONE]\n\n`)).toBe(true);
    expect(maxWritableLength).toBeLessThanOrEqual(highWaterMark + frameBytes);
  });

  it('writeFrame writes at once, says false on a full buffer, and drained() holds the producer until the client reads', async () => {
    const frame = `data: ${JSON.stringify('y'.repeat(10_000))}\n\n`;
    const totalFrames = 2500; // 25 MB: far more than the loopback socket buffers can absorb.
    let written = 0;
    let falseCount = 0;
    let maxWritableLength = 0;
    let highWaterMark = 0;
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer, response) => {
      highWaterMark = response.writableHighWaterMark;
      // A producer that paces itself: write until told to stop, then wait for drained().
      for (let index = 0; index < totalFrames; index += 1) {
        const flushed = writer.writeFrame(frame);
        written += 1;
        maxWritableLength = Math.max(maxWritableLength, response.writableLength);
        if (!flushed) {
          falseCount += 1;
          await writer.drained();
        }
      }
      await writer.writeDone();
    });
    message.pause();
    // Bounded wait until the producer stalls: no progress for 300 ms (at most 5 s).
    let previous = -1;
    for (let attempt = 0; attempt < 16 && written !== previous; attempt += 1) {
      previous = written;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(written).toBeLessThan(totalFrames);
    message.resume();
    const body = await readAll(message);
    await done;
    expect(falseCount).toBeGreaterThan(0);
    expect(body.length).toBe(frame.length * totalFrames + 'data: [DONE]\n\n'.length);
    expect(body.endsWith(`${frame}data: [DONE]\n\n`)).toBe(true);
    // The producer stopped at each false, so user space held at most the high-water mark plus one frame.
    expect(maxWritableLength).toBeLessThanOrEqual(highWaterMark + Buffer.byteLength(frame));
  });

  it('sends the frames writeFrame wrote in the same tick as writeDone before [DONE]', async () => {
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer) => {
      // Inside a promise job, as a provider's stream is: writeDone's end() runs before the tick in
      // which writeFrame's cork is released (Node 22 and later sent [DONE] first, then the frames).
      await Promise.resolve();
      writer.writeFrame('data: "a"\n\n');
      writer.writeFrame('data: "b"\n\n');
      await writer.writeDone();
    });
    expect(await readAll(message)).toBe('data: "a"\n\ndata: "b"\n\ndata: [DONE]\n\n');
    await done;
  });

  it('writeFrame keeps order behind frames queued by the promise API', async () => {
    const { message, done } = await withWriter({ heartbeatMs: 0 }, async (writer) => {
      const big = 'z'.repeat(64 * 1024);
      const pending = writer.writeJson(big);
      // The 64 KiB frame filled the buffer, so this frame must queue behind its drain.
      expect(writer.writeFrame('data: "after"\n\n')).toBe(false);
      await pending;
      await writer.drained();
      await writer.writeDone();
    });
    const body = await readAll(message);
    await done;
    expect(body).toBe(`data: ${JSON.stringify('z'.repeat(64 * 1024))}\n\ndata: "after"\n\ndata: [DONE]\n\n`);
  });

  it('queues no pings behind a full buffer, and a disconnect releases the pending write', async () => {
    const frame = 'y'.repeat(10_000);
    let writeCalls = 0;
    let completedWrites = 0;
    const state = deferred<SseResponseWriter>();
    const finished = deferred<void>();
    const url = await startServer(async (response) => {
      const writer = createSseResponseWriter(response, { heartbeatMs: 20 });
      const originalWrite = response.write.bind(response) as (chunk: string) => boolean;
      response.write = ((chunk: string) => {
        writeCalls += 1;
        return originalWrite(chunk);
      }) as typeof response.write;
      state.resolve(writer);
      // Bounded: stops at the first write the disconnect releases.
      for (let index = 0; index < 5000 && !writer.closed; index += 1) {
        await writer.writeJson(frame);
        completedWrites += 1;
      }
      finished.resolve();
    });
    const message = await openRequest(url);
    message.pause();
    const writer = await state.promise;
    let previous = -1;
    for (let attempt = 0; attempt < 50 && completedWrites !== previous; attempt += 1) {
      previous = completedWrites;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Many heartbeat periods passed while stalled, yet only the one pending frame was written.
    expect(completedWrites).toBeLessThan(5000);
    expect(writeCalls).toBe(completedWrites + 1);
    expect(writer.signal.aborted).toBe(false);

    message.destroy();
    expect(await settledWithin(finished.promise, 2000)).toBe(true);
    expect(writer.signal.aborted).toBe(true);
    expect(writer.closed).toBe(true);
  });
});
