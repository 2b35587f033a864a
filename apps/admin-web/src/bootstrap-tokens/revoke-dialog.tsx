import type { TokenView } from '@app/admin-api';
import { ConfirmDialog } from '../confirm-dialog.js';
import { labelsText, usagesText } from './token-form.js';

interface Props {
  token: TokenView;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before revoking: a modal dialog whose default (and Escape) is Cancel. */
export function RevokeDialog({ token, onConfirm, onCancel }: Props) {
  return (
    <ConfirmDialog
      titleId="revoke-dialog-title"
      textId="revoke-dialog-text"
      title={`Revoke bootstrap token ${token.id}?`}
      confirmValue="revoke"
      confirmLabel="Revoke"
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p id="revoke-dialog-text">
        No agent can join with it any more ({usagesText(token)} used; labels {labelsText(token.labels)}). Clusters that
        already joined with it stay joined. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
