import { useEffect, useRef } from 'preact/hooks';

interface Props {
  clusterId: string;
  deleteStoredData: boolean;
  initialDelay: string;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before uninstalling, naming the cluster and what is deleted; its default (and Escape) is Cancel. */
export function UninstallDialog({ clusterId, deleteStoredData, initialDelay, onConfirm, onCancel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const titleId = `uninstall-dialog-${clusterId}-title`;
  const textId = `uninstall-dialog-${clusterId}-text`;
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onClose={() => (dialog.current?.returnValue === 'uninstall' ? onConfirm() : onCancel())}
    >
      <h3 id={titleId}>Uninstall alerting from cluster {clusterId}?</h3>
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
      <form method="dialog" class="actions">
        <button type="submit" value="cancel" class="secondary" autoFocus>
          Cancel
        </button>
        <button type="submit" value="uninstall" class="danger">
          {deleteStoredData ? 'Uninstall and delete data' : 'Uninstall'}
        </button>
      </form>
    </dialog>
  );
}
