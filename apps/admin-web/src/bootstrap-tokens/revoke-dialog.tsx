import { useEffect, useRef } from 'preact/hooks';
import type { TokenView } from '@app/admin-api';
import { labelsText, usagesText } from './token-form.js';

interface Props {
  token: TokenView;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before revoking: a modal dialog whose default (and Escape) is Cancel. */
export function RevokeDialog({ token, onConfirm, onCancel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby="revoke-dialog-title"
      aria-describedby="revoke-dialog-text"
      onClose={() => (dialog.current?.returnValue === 'revoke' ? onConfirm() : onCancel())}
    >
      <h3 id="revoke-dialog-title">Revoke bootstrap token {token.id}?</h3>
      <p id="revoke-dialog-text">
        No agent can join with it any more ({usagesText(token)} used; labels {labelsText(token.labels)}). Clusters that
        already joined with it stay joined. This cannot be undone.
      </p>
      <form method="dialog" class="actions">
        <button type="submit" value="cancel" class="secondary" autoFocus>
          Cancel
        </button>
        <button type="submit" value="revoke" class="danger">
          Revoke
        </button>
      </form>
    </dialog>
  );
}
