import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown.js';

describe('parseMarkdown: no HTML ever', () => {
  it('HTML in a reply stays text', () => {
    expect(parseMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>')).toEqual([
      {
        type: 'paragraph',
        children: [{ type: 'text', text: '<script>alert(1)</script> <img src=x onerror=alert(1)>' }],
      },
    ]);
  });

  it('links keep only http, https and mailto targets; others are shown as text', () => {
    expect(
      parseInline('[docs](https://example.com/a) [x](javascript:alert) [m](mailto:a@b.c) [d](data:text/html,hi)'),
    ).toEqual([
      { type: 'link', href: 'https://example.com/a', children: [{ type: 'text', text: 'docs' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'x (javascript:alert)' },
      { type: 'text', text: ' ' },
      { type: 'link', href: 'mailto:a@b.c', children: [{ type: 'text', text: 'm' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'd (data:text/html,hi)' },
    ]);
    // A target with parentheses is not read as a link at all.
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ type: 'text', text: '[x](javascript:alert(1))' }]);
  });
});

describe('parseMarkdown: blocks', () => {
  it('fenced code keeps its text verbatim, with its language; an unclosed fence runs to the end', () => {
    expect(parseMarkdown('Try:\n```ts\nconst a = 1 < 2;\n**not bold**\n```\nDone')).toEqual([
      { type: 'paragraph', children: [{ type: 'text', text: 'Try:' }] },
      { type: 'code-block', language: 'ts', text: 'const a = 1 < 2;\n**not bold**' },
      { type: 'paragraph', children: [{ type: 'text', text: 'Done' }] },
    ]);
    expect(parseMarkdown('```\nhalf')).toEqual([{ type: 'code-block', language: undefined, text: 'half' }]);
  });

  it('headings, lists, quotes and rules', () => {
    expect(parseMarkdown('# Title\n\n- one\n- two\n  more\n\n3. three\n4. four\n\n> quoted\n\n---')).toEqual([
      { type: 'heading', level: 1, children: [{ type: 'text', text: 'Title' }] },
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [
          [{ type: 'text', text: 'one' }],
          [{ type: 'text', text: 'two' }, { type: 'break' }, { type: 'text', text: 'more' }],
        ],
      },
      {
        type: 'list',
        ordered: true,
        start: 3,
        items: [[{ type: 'text', text: 'three' }], [{ type: 'text', text: 'four' }]],
      },
      { type: 'quote', children: [{ type: 'paragraph', children: [{ type: 'text', text: 'quoted' }] }] },
      { type: 'rule' },
    ]);
  });

  it('a paragraph keeps its line breaks', () => {
    expect(parseMarkdown('a\nb\r\nc')).toEqual([
      {
        type: 'paragraph',
        children: [
          { type: 'text', text: 'a' },
          { type: 'break' },
          { type: 'text', text: 'b' },
          { type: 'break' },
          { type: 'text', text: 'c' },
        ],
      },
    ]);
  });
});

describe('parseInline', () => {
  it('code spans, strong and emphasis', () => {
    expect(parseInline('use `a*b*c` with **bold _and_ it** and *em*')).toEqual([
      { type: 'text', text: 'use ' },
      { type: 'code', text: 'a*b*c' },
      { type: 'text', text: ' with ' },
      {
        type: 'strong',
        children: [
          { type: 'text', text: 'bold ' },
          { type: 'emphasis', children: [{ type: 'text', text: 'and' }] },
          { type: 'text', text: ' it' },
        ],
      },
      { type: 'text', text: ' and ' },
      { type: 'emphasis', children: [{ type: 'text', text: 'em' }] },
    ]);
  });

  it('half-written markers (mid-stream) and snake_case stay literal; backslash escapes', () => {
    expect(parseInline('**unfinished and snake_case_name and 2 * 3 and \\*x\\*')).toEqual([
      { type: 'text', text: '**unfinished and snake_case_name and 2 * 3 and *x*' },
    ]);
  });

  it('bare URLs become links without trailing punctuation', () => {
    expect(parseInline('see https://example.com/x.')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', href: 'https://example.com/x', children: [{ type: 'text', text: 'https://example.com/x' }] },
      { type: 'text', text: '.' },
    ]);
  });
});
