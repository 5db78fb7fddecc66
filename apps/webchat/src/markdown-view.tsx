/**
 * Renders a reply's Markdown tree (`markdown.ts`) as elements. Every piece of model text reaches the
 * DOM as a text node through Preact's JSX; nothing is assigned as HTML (docs/webchat.md#security).
 */
import type { ComponentChildren } from 'preact';
import { type BlockNode, type InlineNode, parseMarkdown } from './markdown.js';

/** A reply rendered as Markdown. */
export function MarkdownView(props: { text: string }) {
  return <div class="markdown">{parseMarkdown(props.text).map(renderBlock)}</div>;
}

function renderBlock(block: BlockNode, index: number): ComponentChildren {
  switch (block.type) {
    case 'paragraph':
      return <p key={index}>{block.children.map(renderInline)}</p>;
    case 'heading': {
      const Heading = `h${Math.min(block.level + 2, 6)}` as 'h3';
      return <Heading key={index}>{block.children.map(renderInline)}</Heading>;
    }
    case 'code-block':
      return (
        <pre key={index} class="code-block" data-language={block.language}>
          <code>{block.text}</code>
        </pre>
      );
    case 'list': {
      const items = block.items.map((item, itemIndex) => <li key={itemIndex}>{item.map(renderInline)}</li>);
      return block.ordered ? (
        <ol key={index} start={block.start}>
          {items}
        </ol>
      ) : (
        <ul key={index}>{items}</ul>
      );
    }
    case 'quote':
      return <blockquote key={index}>{block.children.map(renderBlock)}</blockquote>;
    case 'rule':
      return <hr key={index} />;
  }
}

function renderInline(node: InlineNode, index: number): ComponentChildren {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'code':
      return <code key={index}>{node.text}</code>;
    case 'strong':
      return <strong key={index}>{node.children.map(renderInline)}</strong>;
    case 'emphasis':
      return <em key={index}>{node.children.map(renderInline)}</em>;
    case 'link':
      return (
        <a key={index} href={node.href} target="_blank" rel="noopener noreferrer">
          {node.children.map(renderInline)}
        </a>
      );
    case 'break':
      return <br key={index} />;
  }
}
