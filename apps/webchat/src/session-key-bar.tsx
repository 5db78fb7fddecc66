/**
 * The open session's key, shown and copyable: the same conversation continues over HTTP with
 * `x-openclaw-session-key` (docs/webchat.md#continuing-from-curl-or-an-sdk).
 */
import { useRef, useState } from 'preact/hooks';

/** The key with a Copy button. */
export function SessionKeyBar(props: { sessionKey: string }) {
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'select'>('idle');
  const keyElement = useRef<HTMLElement>(null);
  const copy = () => {
    navigator.clipboard.writeText(props.sessionKey).then(
      () => setCopyState('copied'),
      () => {
        // No clipboard permission (an insecure origin, a locked-down browser): select it for Ctrl+C.
        const element = keyElement.current;
        if (element !== null) getSelection()?.selectAllChildren(element);
        setCopyState('select');
      },
    );
  };
  return (
    <div class="session-key-bar">
      <span>Session</span>
      <code ref={keyElement} data-testid="session-key">
        {props.sessionKey}
      </code>
      <button type="button" onClick={copy}>
        {copyState === 'copied' ? 'Copied' : copyState === 'select' ? 'Press Ctrl+C' : 'Copy'}
      </button>
    </div>
  );
}
