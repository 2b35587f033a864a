import { useEffect, useState } from 'preact/hooks';
import type { NotificationJson } from '@app/admin-api';
import { followNotifications, type StreamState } from '../api/notification-stream.js';
import { matchesFilter, type NotificationFilter } from './notification-filter.js';
import { NotificationList } from './notification-list.js';

/** The live feed keeps this many of the newest notifications in the page. */
const KEPT = 200;

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Stopped',
};

interface Props {
  filter: NotificationFilter;
  onOpen(notification: NotificationJson): void;
}

/** Notifications as the gateway stores them, newest first: cluster and severity filtered by the gateway. */
export function LiveFeed({ filter, onOpen }: Props) {
  const [received, setReceived] = useState<NotificationJson[]>([]);
  const [state, setState] = useState<{ state: StreamState; detail?: string }>({ state: 'connecting' });

  useEffect(() => {
    setReceived([]);
    return followNotifications(
      { cluster: filter.cluster, minSeverity: filter.minSeverity },
      {
        notification: (notification) => setReceived((list) => [notification, ...list].slice(0, KEPT)),
        state: (next, detail) => setState({ state: next, detail }),
      },
    );
  }, [filter.cluster, filter.minSeverity]);

  const shown = received.filter((notification) => matchesFilter(notification, filter));
  return (
    <section aria-labelledby="live-feed-title" class="panel">
      <h3 id="live-feed-title">
        Live feed{' '}
        <span class={`stream-state stream-${state.state}`} role="status">
          {STATE_TEXT[state.state]}
          {state.detail && state.state === 'reconnecting' ? ` (${state.detail})` : ''}
        </span>
      </h3>
      <p class="hint">
        {shown.length} shown of the last {received.length} received (up to {KEPT} kept).{' '}
        <button type="button" class="secondary" onClick={() => setReceived([])} disabled={received.length === 0}>
          Clear
        </button>
      </p>
      <NotificationList notifications={shown} label="Live notifications" onOpen={onOpen} />
    </section>
  );
}
