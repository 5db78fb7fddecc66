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

/** Options of {@link measureStreamStep}. */
export interface StreamStepOptions {
  origin: string;
  request: BenchRequest;
  streams: number;
  expectedContentFrames: number;
  /** Longest allowed pause between two arrivals on one stream, in ms. */
  maxGapMs: number;
  /** Hard bound for the whole step. */
  timeoutMs: number;
  /**
   * Requests are sent evenly over this many ms, so all N streams are open together for the rest of
   * each stream's life instead of N set-ups landing in one instant. @defaultValue 640
   */
  rampMs?: number;
}

/** Outcome of one step. */
export interface StreamStepResult {
  streams: number;
  ok: boolean;
  completeStreams: number;
  erroredStreams: number;
  stalledStreams: number;
  incompleteStreams: number;
  /** Largest gap between two arrivals on any stream (after the first byte), ms. */
  maxGapMs: number;
  /** When the largest gap ended, in ms from the first request of the step (tells ramp from steady state). */
  maxGapEndedAtMs: number;
  /** Largest time from sending the request to the first byte of the answer, ms. */
  maxFirstByteMs: number;
  /** Time to connect all sockets before the step, ms (not part of the verdict). */
  connectMs: number;
  firstError?: string;
}

/** A content delta with at least one character; the role and usage chunks have none. */
const contentFramePattern = /"content":"[^"]/;

interface StreamOutcome {
  status: 'complete' | 'error' | 'incomplete';
  maxGapMs: number;
  maxGapEndedAt?: number;
  firstByteMs: number;
  error?: string;
}

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
    return {
      streams: options.streams,
      ok: false,
      completeStreams: 0,
      erroredStreams: options.streams - sockets.length,
      stalledStreams: 0,
      incompleteStreams: 0,
      maxGapMs: 0,
      maxGapEndedAtMs: 0,
      maxFirstByteMs: 0,
      connectMs,
      firstError: `connect: ${String(connectFailure.reason)}`,
    };
  }
  const requestBytes = serialiseRequest(options.origin, options.request);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.timeoutMs);
  });
  const rampMs = options.rampMs ?? 640;
  const stepStarted = performance.now();
  const outcomes = await Promise.all(
    sockets.map((socket, index) =>
      runOneStream(socket, requestBytes, options.expectedContentFrames, timedOut, (index * rampMs) / sockets.length),
    ),
  );
  clearTimeout(timer);

  let maxGapMs = 0;
  let maxGapEndedAtMs = 0;
  let maxFirstByteMs = 0;
  let completeStreams = 0;
  let erroredStreams = 0;
  let stalledStreams = 0;
  let incompleteStreams = 0;
  let firstError: string | undefined;
  for (const outcome of outcomes) {
    if (outcome.maxGapMs > maxGapMs) maxGapEndedAtMs = (outcome.maxGapEndedAt ?? stepStarted) - stepStarted;
    maxGapMs = Math.max(maxGapMs, outcome.maxGapMs);
    maxFirstByteMs = Math.max(maxFirstByteMs, outcome.firstByteMs);
    if (outcome.status === 'complete') completeStreams++;
    if (outcome.status === 'error') erroredStreams++;
    if (outcome.status === 'incomplete') incompleteStreams++;
    // A stream that waited longer than a gap for its first byte was queued, not served: stalled too.
    if (outcome.maxGapMs > options.maxGapMs || outcome.firstByteMs > options.maxGapMs) stalledStreams++;
    firstError ??= outcome.error;
  }
  return {
    streams: options.streams,
    ok: completeStreams === options.streams && stalledStreams === 0,
    completeStreams,
    erroredStreams,
    stalledStreams,
    incompleteStreams,
    maxGapMs,
    maxGapEndedAtMs,
    maxFirstByteMs,
    connectMs,
    ...(firstError === undefined ? {} : { firstError }),
  };
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
    let started = performance.now();
    let firstByteMs = 0;
    let maxGapMs = 0;
    let maxGapEndedAt = 0;
    let lastArrival = 0;
    let contentFrames = 0;
    let headerChecked = false;
    let pending = '';
    let settled = false;
    const finish = (outcome: StreamOutcome): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ ...outcome, maxGapEndedAt });
    };
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      if (lastArrival === 0) firstByteMs = now - started;
      else if (now - lastArrival > maxGapMs) {
        maxGapMs = now - lastArrival;
        maxGapEndedAt = now;
      }
      lastArrival = now;
      pending += chunk.toString('latin1');
      if (!headerChecked) {
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const statusLine = pending.slice(0, pending.indexOf('\r\n'));
        if (!statusLine.startsWith('HTTP/1.1 200')) {
          finish({
            status: 'error',
            maxGapMs,
            firstByteMs,
            error: `${statusLine}: ${pending.slice(headerEnd + 4, headerEnd + 200)}`,
          });
          return;
        }
        headerChecked = true;
        pending = pending.slice(headerEnd + 4);
      }
      const frames = pending.split('\n\n');
      pending = frames.pop() ?? '';
      for (const frame of frames) {
        if (frame.endsWith('data: [DONE]')) {
          const complete = contentFrames === expectedContentFrames;
          finish({
            status: complete ? 'complete' : 'incomplete',
            maxGapMs,
            firstByteMs,
            ...(complete ? {} : { error: `[DONE] after ${contentFrames}/${expectedContentFrames} content frames` }),
          });
          return;
        }
        if (frame.includes('data: {"error"')) {
          finish({ status: 'error', maxGapMs, firstByteMs, error: frame.slice(frame.indexOf('data: ') + 6, 200) });
          return;
        }
        if (contentFramePattern.test(frame)) contentFrames++;
      }
    });
    socket.on('error', (error) => finish({ status: 'error', maxGapMs, firstByteMs, error: error.message }));
    socket.on('close', () =>
      finish({
        status: 'incomplete',
        maxGapMs,
        firstByteMs,
        error: `closed after ${contentFrames}/${expectedContentFrames} content frames`,
      }),
    );
    void timedOut.then(() =>
      finish({
        status: 'incomplete',
        maxGapMs,
        firstByteMs,
        error: `step timed out after ${contentFrames} content frames`,
      }),
    );
    const send = setTimeout(() => {
      started = performance.now();
      socket.write(requestBytes);
    }, delayMs);
    void timedOut.then(() => clearTimeout(send));
  });
}
