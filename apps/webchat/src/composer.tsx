/** Where a message is typed: Enter sends, Shift+Enter is a new line; while a reply runs, Stop aborts it. */
import { useState } from 'preact/hooks';

/** The composer. */
export function Composer(props: {
  disabled: boolean;
  running: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}) {
  const [text, setText] = useState('');
  const submit = () => {
    const message = text.trim();
    if (message === '' || props.disabled || props.running) return;
    props.onSend(message);
    setText('');
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <textarea
        aria-label="Message"
        data-testid="composer-input"
        rows={2}
        value={text}
        placeholder="Message the agent"
        disabled={props.disabled}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      {props.running ? (
        <button type="button" class="stop" data-testid="stop" onClick={props.onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" data-testid="send" disabled={props.disabled || text.trim() === ''}>
          Send
        </button>
      )}
    </form>
  );
}
