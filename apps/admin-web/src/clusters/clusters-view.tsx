import { useCallback, useState } from 'preact/hooks';
import { readProblem } from '../api/reachability.js';
import type { ClusterView } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { usePolling } from '../use-polling.js';
import { ClusterCard } from './cluster-card.js';

/** How often the cluster list (connection, health, capabilities) is read again. */
const REFRESH_MS = 5_000;

/** Every cluster the gateway knows: connection, health, queue figures and the alerting capability. */
export function ClustersView() {
  const [clusters, setClusters] = useState<ClusterView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [refreshes, setRefreshes] = useState(0);

  usePolling(
    async (signal) => {
      try {
        setClusters((await apiGet<{ clusters: ClusterView[] }>('/api/v1/clusters', signal)).clusters);
        setError(undefined);
      } catch (failure) {
        if (!signal.aborted) setError(readProblem(failure));
      }
    },
    REFRESH_MS,
    [refreshes],
  );
  // After an action the list is read at once rather than at the next tick.
  const refresh = useCallback(() => setRefreshes((n) => n + 1), []);

  return (
    <section aria-labelledby="clusters-title">
      <h2 id="clusters-title">Clusters</h2>
      {error && (
        <p role="alert" class="error">
          Could not read the clusters: {error}
        </p>
      )}
      {clusters?.length === 0 && (
        <p>No cluster yet: a cluster appears here when its agent first connects to this gateway.</p>
      )}
      <div class="cards">
        {clusters?.map((cluster) => (
          <ClusterCard key={cluster.id} cluster={cluster} onChanged={refresh} />
        ))}
      </div>
    </section>
  );
}
