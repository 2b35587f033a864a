import { useEffect, useState } from 'preact/hooks';
import type { AlertmanagerTargetJson, AlertmanagerTargetListJson, ClusterView, NotificationJson } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { LiveFeed } from './live-feed.js';
import { NotificationDialog } from './notification-dialog.js';
import { NO_FILTER, type NotificationFilter } from './notification-filter.js';
import { NotificationFilters } from './notification-filters.js';
import { NotificationHistory } from './notification-history.js';

/** The live feed and the stored history, under one set of filters; a click opens a notification in full. */
export function NotificationsView() {
  const [filter, setFilter] = useState<NotificationFilter>(NO_FILTER);
  const [clusterIds, setClusterIds] = useState<string[]>([]);
  const [opened, setOpened] = useState<NotificationJson | undefined>();
  const [alertmanagers, setAlertmanagers] = useState<AlertmanagerTargetJson[]>([]);

  useEffect(() => {
    const abort = new AbortController();
    apiGet<{ clusters: ClusterView[] }>('/api/v1/clusters', abort.signal).then(
      ({ clusters }) => setClusterIds(clusters.map((cluster) => cluster.id)),
      () => undefined, // the cluster choice is a convenience: without it, "All clusters" still works
    );
    apiGet<AlertmanagerTargetListJson>('/api/v1/alertmanagers', abort.signal).then(
      (list) => setAlertmanagers(list.alertmanagers),
      () => undefined, // links to Alertmanager are a convenience too
    );
    return () => abort.abort();
  }, []);

  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <NotificationFilters filter={filter} clusterIds={clusterIds} onChange={setFilter} />
      <div class="panels">
        <LiveFeed filter={filter} onOpen={setOpened} />
        <NotificationHistory filter={filter} onOpen={setOpened} />
      </div>
      {opened && (
        <NotificationDialog notification={opened} alertmanagers={alertmanagers} onClose={() => setOpened(undefined)} />
      )}
    </section>
  );
}
