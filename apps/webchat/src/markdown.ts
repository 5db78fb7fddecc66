/**
 * A small Markdown reader for model replies: it turns text into a tree of plain nodes that the page
 * renders as DOM elements (`markdown-view.tsx`). No HTML is ever parsed or produced: a `<script>` in
 * a reply stays the text `<script>`, and links keep only `http:`, `https:` and `mailto:` targets.
 * It reads the common subset models write (fenced code, inline code, headings, lists, quotes, bold,
 * italics, links, rules) and is forgiving of half-written input, since it runs on every streamed piece:
 * an unclosed fence is a code block up to the end, an unclosed `**` is literal text.
 */

/** An inline piece of text. */
export type InlineNode =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: InlineNode[] }
  | { type: 'emphasis'; children: InlineNode[] }
  | { type: 'link'; href: string; children: InlineNode[] }
  | { type: 'break' };

/** A block of the reply. */
export type BlockNode =
  | { type: 'paragraph'; children: InlineNode[] }
  | { type: 'heading'; level: number; children: InlineNode[] }
  | { type: 'code-block'; language: string | undefined; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: InlineNode[][] }
  | { type: 'quote'; children: BlockNode[] }
  | { type: 'rule' };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;

/**
 * Reads `source` into blocks.
 *
 * @example
 * parseMarkdown('**hi** <b>'); // [{ type: 'paragraph', children: [{ type: 'strong', … }, { type: 'text', text: ' <b>' }] }]
 */
export function parseMarkdown(source: string): BlockNode[] {
  return parseBlocks(source.replace(/\r\n?/g, '\n').split('\n'));
}

function parseBlocks(lines: string[]): BlockNode[] {
  const blocks: BlockNode[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as string;
    if (line.trim() === '') {
      index += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence !== null) {
      const marker = fence[1] as string;
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !isClosingFence(lines[index] as string, marker)) {
        body.push(lines[index] as string);
        index += 1;
      }
      index += 1;
      blocks.push({ type: 'code-block', language: fence[2] === '' ? undefined : fence[2], text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      blocks.push({
        type: 'heading',
        level: (heading[1] as string).length,
        children: parseInline(heading[2] as string),
      });
      index += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      index += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && QUOTE.test(lines[index] as string)) {
        quoted.push((QUOTE.exec(lines[index] as string) as RegExpExecArray)[1] as string);
        index += 1;
      }
      blocks.push({ type: 'quote', children: parseBlocks(quoted) });
      continue;
    }
    const ordered = ORDERED.exec(line);
    if (ordered !== null || BULLET.test(line)) {
      const isOrdered = ordered !== null;
      const pattern = isOrdered ? ORDERED : BULLET;
      const items: string[] = [];
      while (index < lines.length) {
        const current = lines[index] as string;
        const item = pattern.exec(current);
        if (item !== null) items.push(item[item.length - 1] as string);
        else if (current.trim() !== '' && /^\s+/.test(current) && items.length > 0) {
          // An indented line continues the item above it.
          items[items.length - 1] += `\n${current.trim()}`;
        } else break;
        index += 1;
      }
      blocks.push({
        type: 'list',
        ordered: isOrdered,
        start: isOrdered ? Number(ordered[1]) : 1,
        items: items.map((item) => parseInline(item)),
      });
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length && !startsAnotherBlock(lines[index] as string)) {
      paragraph.push(lines[index] as string);
      index += 1;
    }
    blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n')) });
  }
  return blocks;
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= marker.length && trimmed === (marker[0] as string).repeat(trimmed.length);
}

function startsAnotherBlock(line: string): boolean {
  return (
    line.trim() === '' ||
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    BULLET.test(line) ||
    ORDERED.test(line)
  );
}

/** Reads inline Markdown: code spans, `**strong**`, `*emphasis*`, `[links](url)`, bare URLs, line breaks. */
export function parseInline(text: string): InlineNode[] {
  const nodes: InlineNode[] = [];
  let plain = '';
  const flush = () => {
    if (plain !== '') nodes.push({ type: 'text', text: plain });
    plain = '';
  };
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const rest = text.slice(index);
    if (char === '\\' && index + 1 < text.length && /[\\`*_[\]()#>~-]/.test(text[index + 1] as string)) {
      plain += text[index + 1];
      index += 2;
      continue;
    }
    if (char === '\n') {
      flush();
      nodes.push({ type: 'break' });
      index += 1;
      continue;
    }
    if (char === '`') {
      const run = /^`+/.exec(rest)?.[0] as string;
      const close = text.indexOf(run, index + run.length);
      if (close !== -1) {
        flush();
        nodes.push({ type: 'code', text: text.slice(index + run.length, close).trim() || ' ' });
        index = close + run.length;
        continue;
      }
      plain += run;
      index += run.length;
      continue;
    }
    if (rest.startsWith('**') || rest.startsWith('__')) {
      const marker = rest.slice(0, 2);
      const close = text.indexOf(marker, index + 2);
      if (close > index + 2 && !/\s/.test(text[index + 2] as string)) {
        flush();
        nodes.push({ type: 'strong', children: parseInline(text.slice(index + 2, close)) });
        index = close + 2;
        continue;
      }
      // An unclosed pair (often a reply still streaming) is literal, not the start of an emphasis.
      plain += marker;
      index += 2;
      continue;
    }
    if ((char === '*' || char === '_') && isEmphasisOpener(text, index)) {
      const close = findEmphasisClose(text, index + 1, char);
      if (close !== -1) {
        flush();
        nodes.push({ type: 'emphasis', children: parseInline(text.slice(index + 1, close)) });
        index = close + 1;
        continue;
      }
    }
    if (char === '[') {
      const link = /^\[([^\]\n]+)\]\(([^()\s]+)\)/.exec(rest);
      if (link !== null) {
        flush();
        const href = link[2] as string;
        if (SAFE_HREF.test(href)) nodes.push({ type: 'link', href, children: parseInline(link[1] as string) });
        // Any other scheme (`javascript:`, `data:`) is shown, never followed.
        else nodes.push({ type: 'text', text: `${link[1]} (${href})` });
        index += link[0].length;
        continue;
      }
    }
    if (char === 'h' && (index === 0 || /[\s(]/.test(text[index - 1] as string))) {
      const url = /^https?:\/\/[^\s<>()]+/.exec(rest)?.[0].replace(/[.,;:!?'"]+$/, '');
      if (url !== undefined && url.length > 'https://'.length) {
        flush();
        nodes.push({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
        index += url.length;
        continue;
      }
    }
    plain += char;
    index += 1;
  }
  flush();
  return nodes;
}

/** `*` or `_` opens emphasis when followed by a non-space; `_` only at a word's start (`snake_case` stays). */
function isEmphasisOpener(text: string, index: number): boolean {
  const next = text[index + 1];
  if (next === undefined || /\s/.test(next) || next === text[index]) return false;
  return text[index] === '*' || index === 0 || !/\w/.test(text[index - 1] as string);
}

function findEmphasisClose(text: string, from: number, marker: string): number {
  for (let index = from + 1; index < text.length; index += 1) {
    if (text[index] === '\n') return -1;
    const before = text[index - 1] as string;
    if (text[index] !== marker || /\s/.test(before) || before === '\\') continue;
    if (marker === '_' && /\w/.test(text[index + 1] ?? '')) continue;
    return index;
  }
  return -1;
}
