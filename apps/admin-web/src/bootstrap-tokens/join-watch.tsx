import { useState } from 'preact/hooks';
import type { ClusterView } from '@app/admin-api';
import { ApiError, apiGet } from '../api/gateway-api.js';
import { usePolling } from '../use-polling.js';

/** How often the gateway is asked whether the cluster joined. */
const POLL_MS = 2_000;

/**
 * After the join command is copied and run: "waiting for the agent of <id>
 * to join…", then "<id> joined" with a link to its page.
 */
export function JoinWatch({ clusterId }: { clusterId: string }) {
  const [cluster, setCluster] = useState<ClusterView | null | undefined>();
  usePolling(
    async (signal) => {
      try {
        setCluster(await apiGet<ClusterView>(`/api/v1/clusters/${encodeURIComponent(clusterId)}`, signal));
      } catch (error) {
        if (!signal.aborted && error instanceof ApiError && error.status === 404) setCluster(null);
      }
    },
    POLL_MS,
    [clusterId],
  );
  if (cluster === undefined) return null;
  return (
    <p role="status" class="join-watch" data-testid="join-watch">
      {cluster === null ? (
        <>Waiting for the agent of {clusterId} to join…</>
      ) : (
        <>
          {clusterId} joined{cluster.connected ? ' and is connected' : ''}.{' '}
          <a href={`#/clusters/${encodeURIComponent(clusterId)}`}>Open cluster {clusterId}</a>
        </>
      )}
    </p>
  );
}
