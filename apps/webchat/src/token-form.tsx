/** The form that asks for the gateway token once per tab (kept in `sessionStorage`, see token-storage.ts). */
import { useState } from 'preact/hooks';

/** Asks for the token; `problem` is why the last one did not work. */
export function TokenForm(props: { problem: string | undefined; onSubmit: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main class="token-page">
      <form
        class="token-form"
        onSubmit={(event) => {
          event.preventDefault();
          const token = value.trim();
          if (token !== '') props.onSubmit(token);
        }}
      >
        <h1>clawgate web chat</h1>
        <label for="token">Gateway token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
          required
        />
        <p class="hint">
          Printed by <code>clawgate gateway</code> at start-up (the <code>gateway-token</code> file in its state
          directory). It stays in this tab only.
        </p>
        {props.problem === undefined ? null : (
          <p class="problem" role="alert" data-testid="token-problem">
            {props.problem}
          </p>
        )}
        <button type="submit">Connect</button>
      </form>
    </main>
  );
}
