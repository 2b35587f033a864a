import { ConfirmDialog } from '../confirm-dialog.js';

interface Props {
  clusterId: string;
  deleteStoredData: boolean;
  initialDelay: string;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before uninstalling, naming the cluster and what is deleted; its default (and Escape) is Cancel. */
export function UninstallDialog({ clusterId, deleteStoredData, initialDelay, onConfirm, onCancel }: Props) {
  const textId = `uninstall-dialog-${clusterId}-text`;
  return (
    <ConfirmDialog
      titleId={`uninstall-dialog-${clusterId}-title`}
      textId={textId}
      title={`Uninstall alerting from cluster ${clusterId}?`}
      confirmValue="uninstall"
      confirmLabel={deleteStoredData ? 'Uninstall and delete data' : 'Uninstall'}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <div id={textId}>
        <p>
          The agent of {clusterId} stops pushing notifications
          {initialDelay && initialDelay !== '0s' ? ` after ${initialDelay} (cancelable until then)` : ''}.
        </p>
        {deleteStoredData ? (
          <>
            <p>
              <strong>Also deleted, for good:</strong>
            </p>
            <ul class="deleted-list">
              <li>every notification of {clusterId} stored at the gateway;</li>
              <li>every notification still queued at its agent.</li>
            </ul>
          </>
        ) : (
          <p>Stored notifications are kept.</p>
        )}
      </div>
    </ConfirmDialog>
  );
}
