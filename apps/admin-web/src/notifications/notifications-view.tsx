import { useEffect, useState } from 'preact/hooks';
import type {
  AlertmanagerTargetJson,
  AlertmanagerTargetListJson,
  NotificationCountsJson,
  NotificationJson,
} from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { readProblem } from '../api/reachability.js';
import { usePolling } from '../use-polling.js';
import { NotificationDialog } from './notification-dialog.js';
import { NotificationTimeline } from './notification-timeline.js';
import { NotificationToolbar } from './notification-toolbar.js';
import { byIdPath, countsPath, type NotificationViewState } from './notification-view-state.js';
import { SeverityChips } from './severity-chips.js';

const COUNTS_REFRESH_MS = 10_000;

interface Props {
  state: NotificationViewState;
  /** A new state: the address changes, which renders this view again. */
  onState(state: NotificationViewState): void;
}

/** One list of notifications under filters kept in the address, severity chips with counts, a dialog per notification. */
export function NotificationsView({ state, onState }: Props) {
  const [opened, setOpened] = useState<NotificationJson | undefined>();
  const [counts, setCounts] = useState<NotificationCountsJson | undefined>();
  const path = countsPath(state);
  usePolling(
    async (signal) => {
      try {
        setCounts(await apiGet<NotificationCountsJson>(path, signal));
      } catch {
        // the chips then show "…": the list itself says what went wrong
      }
    },
    COUNTS_REFRESH_MS,
    [path],
  );
  // A link in the dialog (related, permalink) changes the address: the dialog goes with the old view.
  useEffect(() => setOpened(undefined), [path, state.order, state.notification]);
  // A permalink opens its notification by id, whether or not it is among the pages loaded.
  const [openProblem, setOpenProblem] = useState<string | undefined>();
  useEffect(() => {
    setOpenProblem(undefined);
    if (!state.notification) return;
    const abort = new AbortController();
    apiGet<NotificationJson>(byIdPath(state), abort.signal).then(setOpened, (failure: unknown) => {
      if (!abort.signal.aborted) setOpenProblem(readProblem(failure));
    });
    return () => abort.abort();
  }, [state.notification, state.cluster]);
  const close = () => {
    setOpened(undefined);
    if (state.notification) onState({ ...state, notification: '' });
  };
  // Links from a notification to its alert in Alertmanager: a convenience, so a failure only hides them.
  const [alertmanagers, setAlertmanagers] = useState<AlertmanagerTargetJson[]>([]);
  useEffect(() => {
    const abort = new AbortController();
    apiGet<AlertmanagerTargetListJson>('/api/v1/alertmanagers', abort.signal).then(
      (list) => setAlertmanagers(list.alertmanagers),
      () => undefined,
    );
    return () => abort.abort();
  }, []);

  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <NotificationToolbar state={state} onChange={(change) => onState({ ...state, ...change })} />
      <SeverityChips
        counts={counts}
        selected={state.severities}
        onChange={(severities) => onState({ ...state, severities })}
      />
      {openProblem && (
        <p role="alert" class="error">
          Could not open notification {state.notification}: {openProblem}
        </p>
      )}
      <NotificationTimeline state={state} onOpen={setOpened} />
      {opened && (
        <NotificationDialog key={opened.seq} notification={opened} alertmanagers={alertmanagers} onClose={close} />
      )}
    </section>
  );
}
