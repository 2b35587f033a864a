import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  /** The gateway answered 401 to the token in use. */
  rejected: boolean;
  onToken(token: string): void;
}

/** Asks for the admin token: once per browser session, and again whenever the gateway refuses it. */
export function TokenPrompt({ rejected, onToken }: Props) {
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // The prompt replaces the page (a refused token, "Forget token"): the focus goes to the field, not <body>.
  useEffect(() => input.current?.focus(), [rejected]);
  return (
    <main class="token-prompt">
      <h1>Downstream Alerting</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim() !== '') onToken(token.trim());
        }}
      >
        {rejected && (
          <p role="alert" class="error">
            The gateway refused the admin token (HTTP 401). Enter a valid one.
          </p>
        )}
        <label for="admin-token">Admin token</label>
        <input
          ref={input}
          id="admin-token"
          type="password"
          autoComplete="off"
          required
          autoFocus
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby="admin-token-where admin-token-hint"
        />
        <p id="admin-token-where" class="hint">
          The gateway keeps it in its data directory: <code>&lt;data dir&gt;/admin-token</code> (with the defaults,{' '}
          <code>./data/gateway/admin-token</code>), unless it was started with <code>GATEWAY_ADMIN_TOKEN</code>.
        </p>
        <p id="admin-token-hint" class="hint">
          Sent with every request to this gateway and kept only for this browser tab's session.
        </p>
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
