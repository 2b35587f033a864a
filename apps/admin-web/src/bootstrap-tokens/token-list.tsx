import type { TokenView } from '@app/admin-api';
import { TimeText } from '../time-text.js';
import { labelsText, usagesText } from './token-form.js';

interface Props {
  tokens: TokenView[];
  /** Asks to revoke a token (the view confirms first). */
  onRevoke(token: TokenView): void;
}

const STATE_WORDS: Record<TokenView['state'], string> = {
  active: 'active',
  expired: 'expired',
  'used-up': 'used up',
  revoked: 'revoked',
};

/**
 * Every bootstrap token, newest first: state, usages, expiry, labels, and
 * Revoke. A table on a wide window; each token a block of its own on a
 * narrow one (the cells carry their column's name).
 */
export function TokenList({ tokens, onRevoke }: Props) {
  return (
    <table class="tokens" aria-labelledby="token-list-title">
      <thead>
        <tr>
          <th scope="col">Token</th>
          <th scope="col">State</th>
          <th scope="col">Usages</th>
          <th scope="col">Expires</th>
          <th scope="col">Created</th>
          <th scope="col">Labels</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id} data-testid={`token-${token.id}`}>
            <th scope="row" data-label="Token">
              <code>{token.id}</code>
            </th>
            <td data-label="State">
              <span class={`token-state token-${token.state}`} data-testid="token-state">
                {STATE_WORDS[token.state]}
              </span>
            </td>
            <td data-label="Usages" data-testid="token-usages">
              {usagesText(token)}
            </td>
            <td data-label="Expires">{token.expiresAt === null ? 'never' : <TimeText iso={token.expiresAt} />}</td>
            <td data-label="Created">
              <TimeText iso={token.createdAt} />
            </td>
            <td data-label="Labels" data-testid="token-labels">
              {labelsText(token.labels)}
            </td>
            <td data-label="Actions">
              {token.revokedAt === null ? (
                <button type="button" class="danger" onClick={() => onRevoke(token)}>
                  Revoke<span class="visually-hidden"> token {token.id}</span>
                </button>
              ) : (
                <span class="hint">
                  revoked <TimeText iso={token.revokedAt} />
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
