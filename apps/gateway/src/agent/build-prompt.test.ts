import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { AgentRunInput } from './agent-runner.js';
import { buildPrompt } from './build-prompt.js';

type Messages = AgentRunInput['messages'];
const policy = { allowUrl: false, maxImages: 8, maxImageBytes: 10 * 1024 * 1024, maxTotalImageBytes: 20 * 1024 * 1024 };
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function build(messages: unknown[], imagePolicy = policy) {
  return buildPrompt(messages as Messages, imagePolicy);
}

function refusal(messages: unknown[], imagePolicy = policy): string {
  try {
    build(messages, imagePolicy);
  } catch (error) {
    if (GatewayError.isInstance(error) && error.status === 400 && error.type === 'invalid_request_error')
      return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('buildPrompt text', () => {
  it('uses the current body alone when there is no earlier entry', () => {
    expect(build([{ role: 'user', content: 'Hello there' }])).toEqual({
      text: 'Hello there',
      extraSystemPrompt: undefined,
      images: [],
    });
  });

  it('joins text parts (text and input_text) with a newline', () => {
    expect(
      build([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'input_text', text: 'b' },
          ],
        },
      ]).text,
    ).toBe('a\nb');
  });

  it('joins system and developer contents with a blank line into the extra system prompt', () => {
    const prompt = build([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use English.' }] },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'Late rule.' },
    ]);
    expect(prompt.extraSystemPrompt).toBe('Be brief.\n\nUse English.\n\nLate rule.');
    expect(prompt.text).toBe('hi');
  });

  it('labels history entries and marks the current message', () => {
    const prompt = build([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: 'And 3+3?' },
    ]);
    expect(prompt.text).toBe(
      '[Chat messages since your last reply - for context]\nUser: What is 2+2?\nAssistant: 4\n\n[Current message - respond to this]\nUser: And 3+3?',
    );
  });

  it('renders assistant tool_calls and tool results (tool_call_id, function name, bare Tool)', () => {
    const prompt = build([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'function', name: 'get_time', content: '12:00' },
      {
        role: 'assistant',
        content: 'Let me check',
        tool_calls: [{ id: 'c3', type: 'function', function: { name: 'x', arguments: '{}' } }],
      },
      { role: 'tool', content: 'no id' },
    ]);
    expect(prompt.text).toBe(
      [
        '[Chat messages since your last reply - for context]',
        'User: Weather in Paris?',
        'Assistant: tool_call id=call_1 name=get_weather arguments={"city":"Paris"}\ntool_call id=call_2 name=get_time arguments={}',
        'Tool:call_1: Sunny',
        'Tool:get_time: 12:00',
        'Assistant: Let me check\ntool_call id=c3 name=x arguments={}',
        '',
        '[Current message - respond to this]',
        'Tool: no id',
      ].join('\n'),
    );
  });

  it('drops entries after the last user/tool entry', () => {
    const prompt = build([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: 'prefill that is dropped' },
    ]);
    expect(prompt.text).toBe(
      '[Chat messages since your last reply - for context]\nUser: first\nAssistant: reply\n\n[Current message - respond to this]\nUser: second',
    );
  });

  it('answers an assistant-only conversation with the last entry as current', () => {
    expect(
      build([
        { role: 'assistant', content: 'one' },
        { role: 'assistant', content: 'two' },
      ]).text,
    ).toBe(
      '[Chat messages since your last reply - for context]\nAssistant: one\n\n[Current message - respond to this]\nAssistant: two',
    );
    expect(
      build([
        { role: 'system', content: 's' },
        { role: 'assistant', content: 'only' },
      ]).text,
    ).toBe('only');
  });

  it('skips empty entries', () => {
    const prompt = build([
      { role: 'user', content: '   ' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'real' },
      { role: 'user', content: [] },
    ]);
    expect(prompt.text).toBe('real');
  });

  it.each([
    [[]],
    [[{ role: 'system', content: 'only system' }]],
    [[{ role: 'user', content: '  ' }]],
    [
      [
        { role: 'user', content: null },
        { role: 'tool', content: '' },
      ],
    ],
  ])('refuses %j with the missing-message 400', (messages) => {
    expect(refusal(messages)).toBe('Missing user message in `messages`.');
  });
});

describe('buildPrompt images', () => {
  const imagePart = (url: string) => ({ type: 'image_url', image_url: { url } });

  it('takes data URIs of the current user message and describes an image-only turn', () => {
    const prompt = build([{ role: 'user', content: [imagePart(PNG)] }]);
    expect(prompt.text).toBe('User sent image(s) with no text.');
    expect(prompt.images).toEqual([{ kind: 'data', mimeType: 'image/png', url: PNG, bytes: 70 }]);
  });

  it('ignores images of earlier messages and labels an earlier image-only message', () => {
    const prompt = build([
      { role: 'user', content: [imagePart('data:image/png;base64,not-even-valid')] },
      { role: 'user', content: [{ type: 'text', text: 'describe' }, imagePart(PNG)] },
    ]);
    expect(prompt.images).toHaveLength(1);
    expect(prompt.text).toBe(
      '[Chat messages since your last reply - for context]\nUser: User sent image(s) with no text.\n\n[Current message - respond to this]\nUser: describe',
    );
  });

  it('accepts jpeg, gif and webp by their magic bytes', () => {
    const jpeg = `data:image/jpeg;base64,${Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]).toString('base64')}`;
    const gif = `data:image/gif;base64,${Buffer.from('GIF89a....').toString('base64')}`;
    const webp = `data:image/webp;base64,${Buffer.from('RIFF\0\0\0\0WEBPVP8 ').toString('base64')}`;
    const prompt = build([{ role: 'user', content: [imagePart(jpeg), imagePart(gif), imagePart(webp)] }]);
    expect(prompt.images.map((image) => image.kind === 'data' && image.mimeType)).toEqual([
      'image/jpeg',
      'image/gif',
      'image/webp',
    ]);
  });

  const INVALID = 'Invalid image_url content in `messages`.';
  it.each([
    ['a remote URL while allowUrl is off', 'https://example.com/cat.png'],
    ['an svg data URI', 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4='],
    ['a non-base64 data URI', 'data:image/png,rawdata'],
    ['broken base64', 'data:image/png;base64,@@@@'],
    ['an empty payload', 'data:image/png;base64,'],
    ['bytes that are not the declared type', `data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}`],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses %s', (_name, url) => {
    expect(refusal([{ role: 'user', content: [{ type: 'text', text: 'x' }, imagePart(url)] }])).toBe(INVALID);
  });

  it('refuses more than maxImages images', () => {
    expect(build([{ role: 'user', content: Array.from({ length: 8 }, () => imagePart(PNG)) }]).images).toHaveLength(8);
    expect(refusal([{ role: 'user', content: Array.from({ length: 9 }, () => imagePart(PNG)) }])).toBe(INVALID);
  });

  it('refuses an image above maxImageBytes and images above maxTotalImageBytes', () => {
    expect(refusal([{ role: 'user', content: [imagePart(PNG)] }], { ...policy, maxImageBytes: 69 })).toBe(INVALID);
    expect(build([{ role: 'user', content: [imagePart(PNG)] }], { ...policy, maxImageBytes: 70 }).images).toHaveLength(
      1,
    );
    expect(
      refusal([{ role: 'user', content: [imagePart(PNG), imagePart(PNG)] }], { ...policy, maxTotalImageBytes: 139 }),
    ).toBe(INVALID);
  });

  it('refuses a 10 MB + 1 byte image with the default limits', () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
    expect(refusal([{ role: 'user', content: [imagePart(`data:image/png;base64,${big.toString('base64')}`)] }])).toBe(
      INVALID,
    );
  });

  it('keeps http(s) URLs for the run when allowUrl is on', () => {
    const prompt = build([{ role: 'user', content: [imagePart('https://example.com/cat.png')] }], {
      ...policy,
      allowUrl: true,
    });
    expect(prompt.images).toEqual([{ kind: 'remote', url: 'https://example.com/cat.png' }]);
    expect(
      refusal([{ role: 'user', content: [imagePart('https://u:p@example.com/cat.png')] }], {
        ...policy,
        allowUrl: true,
      }),
    ).toBe(INVALID);
  });
});
