import { ActionResult } from '../action-result.js';
import type { ClusterView, HealthView } from '@app/admin-api';
import { apiGet, apiPost } from '../api/gateway-api.js';
import { TimeText } from '../time-text.js';
import { useAction } from '../use-action.js';
import { AlertingPanel } from './alerting-panel.js';
import { HealthBadge } from './health-badge.js';
import { LOSS_FIGURES } from './health-summary.js';

interface Props {
  cluster: ClusterView;
  /** Something changed at the gateway: read the clusters again. */
  onChanged(): void;
}

/** Queue figures first (`queue.count`, `queue.depth.<Severity>`, …), then the other annotations. */
function annotationGroups(annotations: Record<string, string>): [string, [string, string][]][] {
  const entries = Object.entries(annotations).sort(([a], [b]) => a.localeCompare(b));
  return [
    ['Queue', entries.filter(([key]) => key.startsWith('queue.'))],
    ['Other annotations', entries.filter(([key]) => !key.startsWith('queue.'))],
  ];
}

export function ClusterCard({ cluster, onChanged }: Props) {
  const { outcome, busy, act } = useAction(onChanged);
  const health = cluster.health;
  const base = `/api/v1/clusters/${encodeURIComponent(cluster.id)}`;
  const titleId = `cluster-${cluster.id}-title`;

  return (
    <section class="card" aria-labelledby={titleId}>
      <h3 id={titleId}>
        <span class="visually-hidden">Cluster </span>
        {cluster.id}
        <span class={`connection ${cluster.connected ? 'connected' : 'disconnected'}`}>
          {cluster.connected ? 'Connected' : 'Disconnected'}
        </span>
      </h3>
      <dl class="facts">
        <dt>{cluster.connected ? 'Connected since' : 'Last connected'}</dt>
        <dd>
          <TimeText iso={cluster.lastConnectedAt} />
        </dd>
        <dt>Joined</dt>
        <dd>
          <TimeText iso={cluster.joinedAt} />
        </dd>
        <dt>Agent</dt>
        <dd>
          {cluster.agentVersion || '—'} from {cluster.lastAddress || '—'}
        </dd>
        {Object.keys(cluster.labels).length > 0 && (
          <>
            <dt>Labels</dt>
            <dd>
              {Object.entries(cluster.labels)
                .map(([key, value]) => `${key}=${value}`)
                .join(', ')}
            </dd>
          </>
        )}
      </dl>

      <h4>Health</h4>
      {health === null ? (
        <p>No health reported: the agent is not connected.</p>
      ) : (
        <>
          <p>
            <HealthBadge health={health} />{' '}
            <span class="hint">
              (changed <TimeText iso={health.timestamp} />)
            </span>
          </p>
          {annotationGroups(health.annotations).map(
            ([title, entries]) =>
              entries.length > 0 && (
                <details key={title} open={title === 'Queue'}>
                  <summary>{title}</summary>
                  <dl class="figures">
                    {entries.map(([key, value]) => (
                      <div key={key}>
                        <dt>{key}</dt>
                        <dd class={LOSS_FIGURES.includes(key) && value !== '0' ? 'loss' : undefined}>{value}</dd>
                      </div>
                    ))}
                  </dl>
                </details>
              ),
          )}
        </>
      )}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={busy || !cluster.connected}
          onClick={() =>
            // The gateway records what the agent answers; act() then reads the clusters again.
            act('Asking the agent for its health', async () => {
              await apiGet<HealthView>(`${base}/health?live=true`);
              return 'Health read from the agent just now.';
            })
          }
        >
          Refresh health
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy || !cluster.connected}
          onClick={() =>
            act('Sync', async () => {
              await apiPost(`${base}/sync`);
              return 'The agent synced every capability.';
            })
          }
        >
          Sync now
        </button>
      </div>
      <ActionResult outcome={outcome} />

      <AlertingPanel cluster={cluster} onChanged={onChanged} />
    </section>
  );
}
