/**
 * Concurrent paced streams: open N streams at once and check that every one delivers all its
 * content frames and `[DONE]`, with no pause between two arrivals longer than the stall limit.
 *
 * This phase speaks HTTP/1.1 over plain sockets instead of undici: at 2048 streams the client
 * shares a core with the mock and receives ~100,000 frames a second, and a full HTTP client per
 * frame made the harness, not the gateway, the first thing to stall (measured: the undici version
 * stalled at 1024 direct streams). The sockets are all connected before any request is sent and
 * the requests are spread over a ramp, so a step measures holding N streams, not N simultaneous
 * connection set-ups.
 */
import { connect, type Socket } from 'node:net';
import type { BenchRequest } from './load-generator.js';
import { ArrivalTimer, connectFailedStep, holdStreams } from './stream-step-verdict.js';
import type { PacedStepOptions, StreamOutcome, StreamStepVerdict } from './stream-step-verdict.js';

/** Options of {@link measureStreamStep}. */
export interface StreamStepOptions extends PacedStepOptions {
  origin: string;
  request: BenchRequest;
  expectedContentFrames: number;
}

/** Outcome of one step. */
export interface StreamStepResult extends StreamStepVerdict {
  /** Time to connect all sockets before the step, ms (not part of the verdict). */
  connectMs: number;
}

/** A content delta with at least one character; the role and usage chunks have none. */
const contentFramePattern = /"content":"[^"]/;

/** Serialises the request once; every stream writes the same bytes. */
function serialiseRequest(origin: string, request: BenchRequest): Buffer {
  const host = new URL(origin).host;
  const body = Buffer.from(request.body);
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(
      `POST ${request.path} HTTP/1.1\r\nhost: ${host}\r\n${headers}content-length: ${body.length}\r\nconnection: close\r\n\r\n`,
    ),
    body,
  ]);
}

function openSocket(origin: string): Promise<Socket> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Runs one step of N concurrent streams.
 * @param options - see {@link StreamStepOptions}
 */
export async function measureStreamStep(options: StreamStepOptions): Promise<StreamStepResult> {
  const connectStarted = performance.now();
  const connected = await Promise.allSettled(Array.from({ length: options.streams }, () => openSocket(options.origin)));
  const sockets = connected.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const connectMs = performance.now() - connectStarted;
  const connectFailure = connected.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (connectFailure !== undefined) {
    for (const socket of sockets) socket.destroy();
    return connectFailedStep(options.streams, sockets.length, String(connectFailure.reason), { connectMs });
  }
  const requestBytes = serialiseRequest(options.origin, options.request);
  return holdStreams(
    sockets,
    options,
    (socket, _index, timedOut, delayMs) =>
      runOneStream(socket, requestBytes, options.expectedContentFrames, timedOut, delayMs),
    () => ({ connectMs }),
  );
}

/**
 * Sends the request on a connected socket and watches the answer. Chunked-encoding size lines end
 * up as junk before a frame's `data: `; the frame tests below look inside frames, so they ignore it.
 */
function runOneStream(
  socket: Socket,
  requestBytes: Buffer,
  expectedContentFrames: number,
  timedOut: Promise<void>,
  delayMs: number,
): Promise<StreamOutcome> {
  return new Promise<StreamOutcome>((resolve) => {
    const timer = new ArrivalTimer();
    let contentFrames = 0;
    let headerChecked = false;
    let pending = '';
    let settled = false;
    const finish = (status: StreamOutcome['status'], error?: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(timer.outcome(status, error));
    };
    socket.on('data', (chunk: Buffer) => {
      timer.arrived();
      pending += chunk.toString('latin1');
      if (!headerChecked) {
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const statusLine = pending.slice(0, pending.indexOf('\r\n'));
        if (!statusLine.startsWith('HTTP/1.1 200')) {
          finish('error', `${statusLine}: ${pending.slice(headerEnd + 4, headerEnd + 200)}`);
          return;
        }
        headerChecked = true;
        pending = pending.slice(headerEnd + 4);
      }
      const frames = pending.split('\n\n');
      pending = frames.pop() ?? '';
      for (const frame of frames) {
        if (frame.endsWith('data: [DONE]')) {
          if (contentFrames === expectedContentFrames) finish('complete');
          else finish('incomplete', `[DONE] after ${contentFrames}/${expectedContentFrames} content frames`);
          return;
        }
        if (frame.includes('data: {"error"')) {
          finish('error', frame.slice(frame.indexOf('data: ') + 6, 200));
          return;
        }
        if (contentFramePattern.test(frame)) contentFrames++;
      }
    });
    socket.on('error', (error) => finish('error', error.message));
    socket.on('close', () =>
      finish('incomplete', `closed after ${contentFrames}/${expectedContentFrames} content frames`),
    );
    void timedOut.then(() => finish('incomplete', `step timed out after ${contentFrames} content frames`));
    const send = setTimeout(() => {
      timer.markSent();
      socket.write(requestBytes);
    }, delayMs);
    void timedOut.then(() => clearTimeout(send));
  });
}
