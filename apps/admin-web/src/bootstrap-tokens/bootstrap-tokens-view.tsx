import { useCallback, useRef, useState } from 'preact/hooks';
import { ActionResult, type Outcome } from '../action-result.js';
import type { CreatedTokenView, TokenView } from '@app/admin-api';
import { apiDelete, apiGet } from '../api/gateway-api.js';
import { usePolledRead } from '../use-polling.js';
import { CreatedToken } from './created-token.js';
import { CreateTokenForm } from './create-token-form.js';
import { RevokeDialog } from './revoke-dialog.js';
import { TokenList } from './token-list.js';
import { newestFirst } from './token-form.js';

/** How often the list (states and usages change as agents join) is read again. */
const REFRESH_MS = 5_000;

/**
 * Bootstrap tokens, which let a new agent join its cluster to this gateway:
 * create one (shown once, with its join command), list them, revoke one.
 */
export function BootstrapTokensView() {
  const [tokens, setTokens] = useState<TokenView[] | undefined>();
  const [refreshes, setRefreshes] = useState(0);
  const [created, setCreated] = useState<CreatedTokenView | undefined>();
  const [revoking, setRevoking] = useState<TokenView | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const listHeading = useRef<HTMLHeadingElement>(null);

  const error = usePolledRead(
    async (signal) => setTokens(newestFirst((await apiGet<{ tokens: TokenView[] }>('/api/v1/tokens', signal)).tokens)),
    REFRESH_MS,
    [refreshes],
  );
  const refresh = useCallback(() => setRefreshes((n) => n + 1), []);

  const revoke = async (token: TokenView) => {
    setRevoking(undefined);
    try {
      await apiDelete<TokenView>(`/api/v1/tokens/${encodeURIComponent(token.id)}`);
      setOutcome({ ok: true, text: `Token ${token.id} revoked: no agent can join with it any more.` });
    } catch (failure) {
      setOutcome({
        ok: false,
        text: `Revoking ${token.id} failed: ${failure instanceof Error ? failure.message : String(failure)}`,
      });
    } finally {
      // Its Revoke button is gone: the focus goes back to the list rather than to the page's top.
      listHeading.current?.focus();
      refresh();
    }
  };

  return (
    <section aria-labelledby="bootstrap-tokens-title">
      <h2 id="bootstrap-tokens-title">Bootstrap tokens</h2>
      <p class="intro">
        A bootstrap token lets an agent join its cluster to this gateway once (or as many times as it allows). Hand the
        join command to whoever installs the agent; the cluster gets the token's labels.
      </p>
      <div class="token-panels">
        <CreateTokenForm
          onCreated={(token) => {
            setCreated(token);
            setOutcome(undefined);
            refresh();
          }}
        />
        {created && <CreatedToken key={created.id} created={created} onDismiss={() => setCreated(undefined)} />}
      </div>

      <section aria-labelledby="token-list-title">
        <div class="list-heading">
          <h3 id="token-list-title" ref={listHeading} tabIndex={-1}>
            Tokens
          </h3>
          <button type="button" class="secondary" onClick={refresh}>
            Refresh
          </button>
        </div>
        {error && (
          <p role="alert" class="error">
            Could not read the tokens: {error}
          </p>
        )}
        <ActionResult outcome={outcome} />
        {tokens?.length === 0 && <p>No token yet.</p>}
        {tokens && tokens.length > 0 && <TokenList tokens={tokens} onRevoke={setRevoking} />}
      </section>
      {revoking && (
        <RevokeDialog
          token={revoking}
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(undefined)}
        />
      )}
    </section>
  );
}
