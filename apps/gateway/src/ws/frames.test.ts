/**
 * The frame checks and encoders (docs/ws-protocol.md#frames-and-errors): every branch of
 * `checkRequestFrame` with its exact problem text, and encoders whose output parses back to the
 * object they describe, whatever the payload holds.
 */
import { describe, expect, it } from 'vitest';
import { checkRequestFrame, encodeEvent, encodeFailure, encodeResult, printable } from './frames.js';
import type { ProtocolError } from './protocol-error.js';

const ID_PROBLEM = '/id must be a non-empty string of at most 256 characters';
const METHOD_PROBLEM = '/method must be a non-empty string of at most 256 characters';

describe('checkRequestFrame', () => {
  it('accepts a request with and without params and returns the same object', () => {
    const bare = { type: 'req', id: 'r1', method: 'health' };
    expect(checkRequestFrame(bare)).toEqual({ ok: true, frame: bare });
    const withParams = { type: 'req', id: 'r2', method: 'agent', params: { message: 'hi' } };
    const check = checkRequestFrame(withParams);
    expect(check).toEqual({ ok: true, frame: withParams });
    expect(check.ok && check.frame).toBe(withParams);
    // `params` is checked later, by the method's schema: any JSON value passes here.
    for (const params of [null, 5, 'x', [1], {}]) {
      expect(checkRequestFrame({ type: 'req', id: 'r', method: 'm', params }).ok).toBe(true);
    }
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'req'],
    ['a boolean', true],
    ['undefined', undefined],
    ['an array', [{ type: 'req', id: 'r', method: 'health' }]],
  ])('refuses %s as not a request, without an id', (_name, value) => {
    expect(checkRequestFrame(value)).toEqual({
      ok: false,
      kind: 'not-a-request',
      id: undefined,
      problem: 'must be object',
    });
  });

  it('refuses another frame type as not a request, keeping a usable id', () => {
    const problem = "/type must be equal to constant 'req'";
    expect(checkRequestFrame({ type: 'res', id: 'r9', ok: true })).toEqual({
      ok: false,
      kind: 'not-a-request',
      id: 'r9',
      problem,
    });
    expect(checkRequestFrame({ type: 'event', event: 'tick' })).toEqual({
      ok: false,
      kind: 'not-a-request',
      id: undefined,
      problem,
    });
    expect(checkRequestFrame({ id: 'r1', method: 'health' })).toEqual({
      ok: false,
      kind: 'not-a-request',
      id: 'r1',
      problem,
    });
    expect(checkRequestFrame({ type: 'REQ', id: 'r1', method: 'health' })).toMatchObject({ kind: 'not-a-request' });
    // An unusable id is not echoed, even on a frame of another type.
    expect(checkRequestFrame({ type: 'res', id: '' })).toMatchObject({ id: undefined });
    expect(checkRequestFrame({ type: 'res', id: 7 })).toMatchObject({ id: undefined });
    expect(checkRequestFrame({ type: 'res', id: 'x'.repeat(257) })).toMatchObject({ id: undefined });
  });

  it('refuses a request without an id', () => {
    expect(checkRequestFrame({ type: 'req', method: 'health' })).toEqual({
      ok: false,
      kind: 'invalid',
      id: undefined,
      problem: "must have required property 'id'",
    });
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an object', { id: 'r' }],
    ['an empty string', ''],
    ['257 characters', 'i'.repeat(257)],
  ])('refuses an id that is %s', (_name, id) => {
    expect(checkRequestFrame({ type: 'req', id, method: 'health' })).toEqual({
      ok: false,
      kind: 'invalid',
      id: undefined,
      problem: ID_PROBLEM,
    });
  });

  it('accepts ids and methods of exactly 1 and 256 characters', () => {
    for (const text of ['i', 'i'.repeat(256)]) {
      expect(checkRequestFrame({ type: 'req', id: text, method: 'health' }).ok).toBe(true);
      expect(checkRequestFrame({ type: 'req', id: 'r', method: text }).ok).toBe(true);
    }
  });

  it('refuses a request without a method, echoing its id', () => {
    expect(checkRequestFrame({ type: 'req', id: 'r3' })).toEqual({
      ok: false,
      kind: 'invalid',
      id: 'r3',
      problem: "must have required property 'method'",
    });
  });

  it.each([
    ['a number', 5],
    ['null', null],
    ['an array', ['health']],
    ['an empty string', ''],
    ['257 characters', 'm'.repeat(257)],
  ])('refuses a method that is %s, echoing the id', (_name, method) => {
    expect(checkRequestFrame({ type: 'req', id: 'r4', method })).toEqual({
      ok: false,
      kind: 'invalid',
      id: 'r4',
      problem: METHOD_PROBLEM,
    });
  });

  it('refuses an unknown key, naming it (cut to 64 characters)', () => {
    expect(checkRequestFrame({ type: 'req', id: 'r5', method: 'health', extra: 1 })).toEqual({
      ok: false,
      kind: 'invalid',
      id: 'r5',
      problem: "must NOT have additional property 'extra'",
    });
    const longKey = 'k'.repeat(100);
    expect(checkRequestFrame({ type: 'req', id: 'r6', method: 'health', [longKey]: 1 })).toEqual({
      ok: false,
      kind: 'invalid',
      id: 'r6',
      problem: `must NOT have additional property '${'k'.repeat(64)}…'`,
    });
  });

  it('refuses prototype keys sent as own properties (as JSON.parse makes them)', () => {
    for (const key of ['__proto__', 'constructor', 'prototype', 'toString']) {
      const frame = JSON.parse(`{"type":"req","id":"r7","method":"health","${key}":{"polluted":true}}`);
      expect(checkRequestFrame(frame)).toEqual({
        ok: false,
        kind: 'invalid',
        id: 'r7',
        problem: `must NOT have additional property '${key}'`,
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks in order: type, id, method, then unknown keys', () => {
    // Everything wrong at once: the type is reported first.
    expect(checkRequestFrame({ type: 'x', id: 1, method: 2, junk: 3 })).toMatchObject({ kind: 'not-a-request' });
    expect(checkRequestFrame({ type: 'req', id: 1, method: 2, junk: 3 })).toMatchObject({ problem: ID_PROBLEM });
    expect(checkRequestFrame({ type: 'req', id: 'r', method: 2, junk: 3 })).toMatchObject({ problem: METHOD_PROBLEM });
  });
});

describe('printable', () => {
  it('keeps up to 64 characters and cuts longer text with an ellipsis', () => {
    expect(printable('')).toBe('');
    expect(printable('a'.repeat(64))).toBe('a'.repeat(64));
    expect(printable('a'.repeat(65))).toBe(`${'a'.repeat(64)}…`);
  });
});

const awkward = {
  quotes: 'say "hi" \'there\'',
  backslash: 'C:\\path\\to\\file \\u0041',
  controls: 'tab\tnewline\ncarriage\rnul\u0000bell\u0007',
  unicode: 'héllo wörld — 你好 🦀 \u2028\u2029',
  loneSurrogate: 'broken \ud83d end',
  nested: { list: [1, 'two', null, true, { deep: '}"]' }] },
  number: -1.5e-7,
};

describe('encodeResult', () => {
  it('builds a res frame with ok:true that parses back to the payload', () => {
    expect(JSON.parse(encodeResult('r1', awkward))).toEqual({ type: 'res', id: 'r1', ok: true, payload: awkward });
    expect(JSON.parse(encodeResult('r2', { ok: true }))).toEqual({
      type: 'res',
      id: 'r2',
      ok: true,
      payload: { ok: true },
    });
  });

  it('escapes an id with quotes and unicode', () => {
    const id = 'id "with" quotes \\ and ✓ \n';
    expect(JSON.parse(encodeResult(id, null))).toEqual({ type: 'res', id, ok: true, payload: null });
  });

  it('keeps the key order type, id, ok, payload', () => {
    expect(encodeResult('r', 1)).toBe('{"type":"res","id":"r","ok":true,"payload":1}');
  });

  it('leaves payload out when it is undefined', () => {
    expect(JSON.parse(encodeResult('r', undefined))).toEqual({ type: 'res', id: 'r', ok: true });
  });
});

describe('encodeFailure', () => {
  it('builds a res frame with ok:false and the whole error', () => {
    const error: ProtocolError = {
      code: 'INVALID_REQUEST',
      message: 'unknown method: "é🦀\\',
      details: { code: 'X', nested: awkward },
      retryable: true,
      retryAfterMs: 1500,
    };
    expect(JSON.parse(encodeFailure('r1', error))).toEqual({ type: 'res', id: 'r1', ok: false, error });
    expect(encodeFailure('r2', { code: 'FORBIDDEN', message: 'no' })).toBe(
      '{"type":"res","id":"r2","ok":false,"error":{"code":"FORBIDDEN","message":"no"}}',
    );
  });
});

describe('encodeEvent', () => {
  it('builds an event without seq (the challenge)', () => {
    const text = encodeEvent('connect.challenge', '{"nonce":"n","ts":1}');
    expect(text).toBe('{"type":"event","event":"connect.challenge","payload":{"nonce":"n","ts":1}}');
    expect(JSON.parse(text)).toEqual({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: 1 } });
    expect('seq' in JSON.parse(text)).toBe(false);
  });

  it('builds an event with seq, the payload inserted as it was serialised', () => {
    const payloadJson = JSON.stringify(awkward);
    expect(JSON.parse(encodeEvent('chat', payloadJson, 7))).toEqual({
      type: 'event',
      event: 'chat',
      payload: awkward,
      seq: 7,
    });
    expect(JSON.parse(encodeEvent('tick', '{"ts":5}', 1))).toEqual({
      type: 'event',
      event: 'tick',
      payload: { ts: 5 },
      seq: 1,
    });
  });

  it('keeps seq 0 (only undefined leaves it out)', () => {
    expect(JSON.parse(encodeEvent('tick', 'null', 0))).toEqual({ type: 'event', event: 'tick', payload: null, seq: 0 });
  });

  it('carries every kind of JSON payload', () => {
    for (const payload of [null, 0, 'text "q" ✓', [1, [2]], {}, { a: { b: [] } }]) {
      expect(JSON.parse(encodeEvent('agent', JSON.stringify(payload), 3)).payload).toEqual(payload);
    }
  });
});
