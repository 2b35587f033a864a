import { useCallback, useState } from 'preact/hooks';
import type { ClusterView, NotificationJson } from '@app/admin-api';
import { ApiError, apiGet } from '../api/gateway-api.js';
import { readProblem } from '../api/reachability.js';
import { NotificationDialog } from '../notifications/notification-dialog.js';
import { NO_FILTER } from '../notifications/notification-filter.js';
import { NotificationHistory } from '../notifications/notification-history.js';
import { usePolling } from '../use-polling.js';
import { ClusterCard } from './cluster-card.js';

const REFRESH_MS = 5_000;

/** One cluster (#/clusters/<id>): connection, health, queue, the alerting capability, and its notifications. */
export function ClusterPage({ clusterId }: { clusterId: string }) {
  const [cluster, setCluster] = useState<ClusterView | undefined>();
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [refreshes, setRefreshes] = useState(0);
  const [opened, setOpened] = useState<NotificationJson | undefined>();

  usePolling(
    async (signal) => {
      try {
        setCluster(await apiGet<ClusterView>(`/api/v1/clusters/${encodeURIComponent(clusterId)}`, signal));
        setMissing(false);
        setError(undefined);
      } catch (failure) {
        if (signal.aborted) return;
        if (failure instanceof ApiError && failure.status === 404) {
          setMissing(true);
          setCluster(undefined);
        } else setError(readProblem(failure));
      }
    },
    REFRESH_MS,
    [clusterId, refreshes],
  );
  const refresh = useCallback(() => setRefreshes((n) => n + 1), []);

  return (
    // A div, not a region: the cluster's card inside is the region named "Cluster <id>".
    <div class="cluster-page">
      <p>
        <a href="#/clusters">← All clusters</a>
      </p>
      <h2 id="cluster-page-title">Cluster {clusterId}</h2>
      {missing && <p role="status">The gateway does not know a cluster {clusterId} (deleted, or not joined yet).</p>}
      {error && (
        <p role="alert" class="error">
          Could not read the cluster: {error}
        </p>
      )}
      {cluster && (
        <div class="cards">
          <ClusterCard cluster={cluster} onChanged={refresh} />
        </div>
      )}
      <NotificationHistory filter={{ ...NO_FILTER, cluster: clusterId }} onOpen={setOpened} />
      {opened && <NotificationDialog notification={opened} onClose={() => setOpened(undefined)} />}
    </div>
  );
}
