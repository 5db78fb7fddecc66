/**
 * The smallest WebSocket client the WebSocket rows need (RFC 6455, https://www.rfc-editor.org/rfc/rfc6455),
 * on a plain socket: the upgrade request, masked text frames out, unmasked frames in, pings answered,
 * the close handshake. Each text message reaches its handler as the bytes of its payload, undecoded,
 * so the load generator looks at a frame's first bytes instead of parsing it.
 *
 * Why not the `ws` package: the load generator shares a core with the mock and, in the stream steps,
 * receives ~100,000 frames a second; the streams section already reads HTTP over plain sockets because
 * a full client per frame made the harness stall before the gateway did. What the gateway receives is
 * the same either way: standard frames, each masked with a fresh random key as browsers do (the
 * server unmasks every byte whatever the key).
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;

/** One open WebSocket connection. */
export interface WsConnection {
  readonly socket: Socket;
  /**
   * Sets the handler of each text message's payload; messages that arrived while there was none
   * (the challenge can come with the 101) are handed to it first.
   */
  listen(handler: (payload: Buffer) => void): void;
  /** Sends one text message in one masked frame. */
  send(text: string): void;
  /** The close handshake (1000); resolves once the socket has closed (or after `timeoutMs`, destroyed). */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** The close code the server sent, if it sent one. */
  readonly closeCode: number | undefined;
}

/** 64 KiB of random bytes, cycled for mask keys: a fresh-looking key per frame without a syscall each. */
const maskPool = randomBytes(65_536);
let maskOffset = 0;

/** A masked client frame (https://www.rfc-editor.org/rfc/rfc6455#section-5.2, masking as in section 5.3). */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 6 : length < 65_536 ? 8 : 14;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (maskOffset + 4 > maskPool.length) maskOffset = 0;
  const keyAt = header - 4;
  maskPool.copy(frame, keyAt, maskOffset, maskOffset + 4);
  maskOffset += 4;
  for (let index = 0; index < length; index++)
    frame[header + index] = (payload[index] ?? 0) ^ (frame[keyAt + (index & 3)] ?? 0);
  return frame;
}

/**
 * Connects, sends the upgrade request and resolves once the server answered `101`.
 * @throws Error when the connection fails, the server answers anything else, or `timeoutMs` passes
 */
export function openWebSocket(origin: string, path = '/', timeoutMs = 10_000): Promise<WsConnection> {
  const url = new URL(origin);
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  return new Promise<WsConnection>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    let settled = false;
    let head = '';
    const timer = setTimeout(() => fail(new Error(`no 101 within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('closed before the upgrade was answered')));
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onHead = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) fail(new Error('upgrade answer headers too long'));
        return;
      }
      const statusLine = head.slice(0, head.indexOf('\r\n'));
      if (!statusLine.startsWith('HTTP/1.1 101')) {
        fail(new Error(`upgrade refused: ${statusLine}`));
        return;
      }
      const accept = head.slice(0, end).match(/\r\nsec-websocket-accept:\s*(\S+)/i)?.[1];
      if (accept !== expectedAccept) {
        fail(new Error('upgrade answer has a wrong Sec-WebSocket-Accept'));
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onHead);
      socket.removeListener('error', fail);
      socket.removeAllListeners('close');
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      resolve(createConnection(socket, rest));
    };
    socket.on('data', onHead);
  });
}

/** Frames in and out on an upgraded socket. */
function createConnection(socket: Socket, initial: Buffer): WsConnection {
  let pending: Buffer | undefined;
  let fragments: Buffer[] | undefined;
  let closing = false;
  let closeCode: number | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  socket.on('error', () => undefined);
  socket.once('close', () => resolveClosed());

  let handler: ((payload: Buffer) => void) | undefined;
  const queued: Buffer[] = [];
  const deliver = (payload: Buffer): void => {
    if (handler === undefined) queued.push(payload);
    else handler(payload);
  };
  const connection: WsConnection = {
    socket,
    listen(next) {
      handler = next;
      for (const payload of queued.splice(0)) next(payload);
    },
    send(text) {
      if (!socket.writable || closing) return;
      socket.write(encodeFrame(OPCODE_TEXT, Buffer.from(text)));
    },
    close(timeoutMs = 5_000) {
      if (!closing && socket.writable) {
        closing = true;
        const body = Buffer.alloc(2);
        body.writeUInt16BE(1000, 0);
        socket.write(encodeFrame(OPCODE_CLOSE, body));
      }
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      return closed.then(() => clearTimeout(timer));
    },
    closed,
    get closeCode() {
      return closeCode;
    },
  };

  const onFrame = (fin: boolean, opcode: number, payload: Buffer): void => {
    switch (opcode) {
      case OPCODE_TEXT:
      case OPCODE_BINARY:
        if (fin) deliver(payload);
        else fragments = [Buffer.from(payload)];
        return;
      case OPCODE_CONTINUATION:
        if (fragments === undefined) return;
        fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(fragments);
          fragments = undefined;
          deliver(whole);
        }
        return;
      case OPCODE_CLOSE:
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (!closing && socket.writable) {
          closing = true;
          socket.write(encodeFrame(OPCODE_CLOSE, Buffer.from(payload.subarray(0, 2))));
        }
        socket.end();
        return;
      case OPCODE_PING:
        if (!closing && socket.writable) socket.write(encodeFrame(0xa, Buffer.from(payload)));
        return;
      default:
        return; // pong
    }
  };

  const onData = (chunk: Buffer): void => {
    const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (;;) {
      const available = data.length - offset;
      if (available < 2) break;
      const first = data[offset] ?? 0;
      const second = data[offset + 1] ?? 0;
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) break;
        length = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (available < 10) break;
        length = Number(data.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if ((second & 0x80) !== 0) {
        // A server must never mask (https://www.rfc-editor.org/rfc/rfc6455#section-5.1): the connection is unusable.
        socket.destroy();
        return;
      }
      if (available < header + length) break;
      const start = offset + header;
      offset = start + length;
      onFrame((first & 0x80) !== 0, first & 0x0f, data.subarray(start, offset));
    }
    pending = offset < data.length ? data.subarray(offset) : undefined;
  };
  socket.on('data', onData);
  // The server may send its first frame (the challenge) in the same packet as the 101.
  if (initial.length > 0) onData(initial);
  return connection;
}
