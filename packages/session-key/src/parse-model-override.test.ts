import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from './__fixtures__/arbitraries.js';
import { parseModelOverride, splitModelRef, splitProviderModel } from './parse-model-override.js';

describe('parseModelOverride', () => {
  it.each([
    ['openai/gpt-4o', { ok: true, provider: 'openai', model: 'gpt-4o' }],
    ['openrouter/openai/gpt-4o', { ok: true, provider: 'openrouter', model: 'openai/gpt-4o' }],
    ['gpt-4o', { ok: true, model: 'gpt-4o' }],
    ['  anthropic/claude-sonnet-4-5  ', { ok: true, provider: 'anthropic', model: 'claude-sonnet-4-5' }],
    ['OpenAI/GPT-4o', { ok: true, provider: 'OpenAI', model: 'GPT-4o' }],
    ['ollama/llama3.1:8b', { ok: true, provider: 'ollama', model: 'llama3.1:8b' }],
  ])('parses %j', (raw, expected) => {
    expect(parseModelOverride(raw)).toEqual(expected);
  });

  it.each([
    [undefined],
    [''],
    ['   '],
    ['openai/'],
    ['/gpt-4o'],
    ['/'],
    ['a//b'],
    ['openrouter/openai/'],
    ['openai/gpt 4o'],
    ['openai/gpt-4o\u0000'],
    ['open ai/gpt-4o'],
  ])('rejects %j', (raw) => {
    expect(parseModelOverride(raw)).toEqual({ ok: false });
  });

  it('never throws on any string (property)', () => {
    fc.assert(
      fc.property(anyString, (raw) => {
        const result = parseModelOverride(raw);
        if (result.ok) {
          expect(result.model).not.toBe('');
          expect(result.provider).not.toBe('');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('splitModelRef', () => {
  it('splits at the first slash', () => {
    expect(splitModelRef('openrouter/openai/gpt-4o')).toEqual({ provider: 'openrouter', model: 'openai/gpt-4o' });
    expect(splitModelRef('openai/gpt-4o')).toEqual({ provider: 'openai', model: 'gpt-4o' });
  });

  it.each([['gpt-4o'], [''], ['openai/'], ['/x'], ['a b/c']])('rejects %j', (ref) => {
    expect(splitModelRef(ref)).toBeUndefined();
  });
});

describe('splitProviderModel', () => {
  it('splits at the first slash, keeping the rest as it is', () => {
    expect(splitProviderModel('openrouter/openai/gpt-4o')).toEqual({ provider: 'openrouter', model: 'openai/gpt-4o' });
    expect(splitProviderModel('local/llama3.2')).toEqual({ provider: 'local', model: 'llama3.2' });
    expect(splitProviderModel('local/my model')).toEqual({ provider: 'local', model: 'my model' });
    expect(splitProviderModel('a//b')).toEqual({ provider: 'a', model: '/b' });
  });

  it.each([['gpt-4o'], [''], ['/'], ['/x'], ['x/']])('rejects %j', (ref) => {
    expect(splitProviderModel(ref)).toBeUndefined();
  });
});
