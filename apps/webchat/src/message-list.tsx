/** The conversation: user messages as typed, replies as Markdown, with a run's end state shown inline. */
import { useEffect, useRef } from 'preact/hooks';
import { MarkdownView } from './markdown-view.js';
import type { ChatMessage } from './view-state.js';

/** Every message of the open session, oldest first; it follows the newest while at the bottom. */
export function MessageList(props: { messages: ChatMessage[] }) {
  const list = useRef<HTMLOListElement>(null);
  const stuckToBottom = useRef(true);
  useEffect(() => {
    const element = list.current;
    if (element !== null && stuckToBottom.current) element.scrollTop = element.scrollHeight;
  });
  return (
    <ol
      class="messages"
      ref={list}
      data-testid="messages"
      aria-live="polite"
      onScroll={(event) => {
        const element = event.currentTarget;
        stuckToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
      }}
    >
      {props.messages.length === 0 ? <li class="empty">Send a message to start.</li> : null}
      {props.messages.map((message) => (
        <li key={message.id} class={`message ${message.role}`} data-role={message.role} data-state={message.state}>
          <div class="message-text">
            {message.role === 'assistant' ? <MarkdownView text={message.text} /> : <p>{message.text}</p>}
          </div>
          {message.state === 'streaming' ? <span class="badge">…</span> : null}
          {message.state === 'aborted' ? <span class="badge stopped">Stopped</span> : null}
          {message.state === 'error' ? (
            <p class="run-error" role="alert">
              {message.error}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
