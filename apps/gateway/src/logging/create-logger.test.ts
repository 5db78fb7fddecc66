import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, withoutRedaction } from './create-logger.js';

/** A destination that keeps every line written to it. */
function capture(): { lines: Record<string, unknown>[]; stream: Writable & { write(chunk: string): boolean } } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts secret-looking fields at any of the listed depths', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', destination: stream });
    logger.info(
      { token: 't', nested: { apiKey: 'k', deeper: { password: 'p' } }, headers: { authorization: 'Bearer x' } },
      'm',
    );
    expect(lines[0]).toMatchObject({
      token: '[Redacted]',
      nested: { apiKey: '[Redacted]', deeper: { password: '[Redacted]' } },
      headers: { authorization: '[Redacted]' },
    });
  });

  it('withoutRedaction writes the same lines to the same place at the same level, unredacted, and leaves the parent redacting', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'warn', destination: stream });
    const plain = withoutRedaction(logger);
    plain.info({ path: '/v1/chat/completions' }, 'below the level');
    plain.warn({ path: '/v1/chat/completions', token: 'visible' }, 'request completed');
    logger.warn({ token: 'hidden' }, 'other');
    expect(lines.map(({ time: _time, pid: _pid, hostname: _hostname, ...rest }) => rest)).toEqual([
      { level: 40, path: '/v1/chat/completions', token: 'visible', msg: 'request completed' },
      { level: 40, token: '[Redacted]', msg: 'other' },
    ]);
  });
});
