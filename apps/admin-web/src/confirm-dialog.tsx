import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  /** The ids of the title and of the text (an element among `children`) that describe the dialog. */
  titleId: string;
  textId: string;
  title: ComponentChildren;
  /** The confirming button: its value (the dialog's returnValue) and its label. */
  confirmValue: string;
  confirmLabel: ComponentChildren;
  onConfirm(): void;
  onCancel(): void;
  children: ComponentChildren;
}

/** Asks before something that cannot be undone: a modal dialog whose default (and Escape) is Cancel. */
export function ConfirmDialog({
  titleId,
  textId,
  title,
  confirmValue,
  confirmLabel,
  onConfirm,
  onCancel,
  children,
}: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onClose={() => (dialog.current?.returnValue === confirmValue ? onConfirm() : onCancel())}
    >
      <h3 id={titleId}>{title}</h3>
      {children}
      <form method="dialog" class="actions">
        <button type="submit" value="cancel" class="secondary" autoFocus>
          Cancel
        </button>
        <button type="submit" value={confirmValue} class="danger">
          {confirmLabel}
        </button>
      </form>
    </dialog>
  );
}
