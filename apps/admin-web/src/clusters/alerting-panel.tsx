import { useState } from 'preact/hooks';
import { readProblem } from '../api/reachability.js';
import { ActionResult } from '../action-result.js';
import type { ClusterView, InstallView, NodeStatusView, TaskStatusView } from '@app/admin-api';
import { apiGetOptional, apiPost } from '../api/gateway-api.js';
import { TimeText } from '../time-text.js';
import { useAction } from '../use-action.js';
import { usePolling } from '../use-polling.js';
import { UninstallDialog } from './uninstall-dialog.js';
import { UninstallTask } from './uninstall-task.js';

interface Props {
  cluster: ClusterView;
  onChanged(): void;
}

/** While an uninstall task is Pending or Running its progress is read this often; otherwise slower. */
const ACTIVE_TASK_POLL_MS = 1_000;
const IDLE_POLL_MS = 5_000;

const isActive = (task: TaskStatusView | undefined) => task?.state === 'Pending' || task?.state === 'Running';

/** The alerting capability of one cluster: its state, the agent's side, and install / uninstall / cancel. */
export function AlertingPanel({ cluster, onChanged }: Props) {
  const capability = cluster.capabilities.find((c) => c.name === 'alerting');
  const [nodeStatus, setNodeStatus] = useState<NodeStatusView | undefined>();
  const [task, setTask] = useState<TaskStatusView | undefined>();
  const [ignoreWarnings, setIgnoreWarnings] = useState(false);
  const [deleteStoredData, setDeleteStoredData] = useState(false);
  const [initialDelay, setInitialDelay] = useState('30s');
  const { outcome, setOutcome, busy, act } = useAction(onChanged);
  const [confirming, setConfirming] = useState(false);
  const base = `/api/v1/clusters/${encodeURIComponent(cluster.id)}/capabilities/alerting`;
  const id = (name: string) => `${cluster.id}-${name}`;

  usePolling(
    async (signal) => {
      try {
        const [status, uninstall] = await Promise.all([
          apiGetOptional<NodeStatusView>(`${base}/status`, signal),
          apiGetOptional<TaskStatusView>(`${base}/uninstall`, signal),
        ]);
        setNodeStatus(status);
        // A task that reached its end changes the capability: read the cluster again.
        if (isActive(task) && !isActive(uninstall)) {
          onChanged();
          setOutcome(undefined); // "Uninstall started." is no longer true: the task shows how it ended
        }
        setTask(uninstall);
      } catch (error) {
        const problem = readProblem(error);
        if (!signal.aborted && problem !== undefined) setOutcome({ ok: false, text: problem });
      }
    },
    isActive(task) ? ACTIVE_TASK_POLL_MS : IDLE_POLL_MS,
    [cluster, isActive(task)],
  );

  const install = () =>
    act('Install', async () => {
      const answer = await apiPost<InstallView>(`${base}/install`, { ignoreWarnings });
      return `Install: ${answer.status}${answer.message ? ` — ${answer.message}` : ''}`;
    });
  const uninstall = () =>
    act('Uninstall', async () => {
      const delay = initialDelay.trim();
      setTask(await apiPost<TaskStatusView>(`${base}/uninstall`, { deleteStoredData, initialDelay: delay || '0s' }));
      return 'Uninstall started.';
    });
  const cancel = () =>
    act('Cancel', async () => {
      setTask(await apiPost<TaskStatusView>(`${base}/uninstall/cancel`));
      return 'Uninstall canceled.';
    });

  const state = !capability ? 'Not installed' : capability.deletionTimestamp ? 'Uninstalling' : 'Installed';
  return (
    <section class="alerting" aria-labelledby={id('alerting-title')}>
      <h4 id={id('alerting-title')}>Alerting capability</h4>
      <dl class="facts">
        <dt>State</dt>
        <dd class={`capability-state ${state.toLowerCase().replace(' ', '-')}`} data-testid="alerting-state">
          {state}
        </dd>
        {capability?.deletionTimestamp && (
          <>
            <dt>Marked for deletion</dt>
            <dd>
              <TimeText iso={capability.deletionTimestamp} />
            </dd>
          </>
        )}
        <dt>Agent</dt>
        <dd>
          {nodeStatus === undefined
            ? 'has not synced alerting yet'
            : `${nodeStatus.enabled ? 'enabled' : 'disabled'}, revision ${nodeStatus.lastRevision}`}
          {nodeStatus?.conditions.length ? ` — ${nodeStatus.conditions.join(', ')}` : ''}
        </dd>
        {nodeStatus && (
          <>
            <dt>Last sync</dt>
            <dd>
              <TimeText iso={nodeStatus.lastSync} />
            </dd>
          </>
        )}
      </dl>

      {!capability && (
        <form
          class="actions"
          onSubmit={(event) => {
            event.preventDefault();
            void install();
          }}
        >
          <label class="check">
            <input
              type="checkbox"
              checked={ignoreWarnings}
              onChange={(event) => setIgnoreWarnings(event.currentTarget.checked)}
            />
            Ignore warnings (e.g. agent not connected)
          </label>
          <button type="submit" disabled={busy}>
            Install alerting
          </button>
        </form>
      )}

      {capability && !isActive(task) && (
        <form
          class="actions"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirming(true);
          }}
        >
          <label class="check">
            <input
              type="checkbox"
              checked={deleteStoredData}
              onChange={(event) => setDeleteStoredData(event.currentTarget.checked)}
            />
            Delete stored data (the agent's queue and the gateway's notifications of this cluster)
          </label>
          <label for={id('initial-delay')}>Initial delay</label>
          <input
            id={id('initial-delay')}
            class="short"
            value={initialDelay}
            onInput={(event) => setInitialDelay(event.currentTarget.value)}
            aria-describedby={id('initial-delay-hint')}
          />
          <span id={id('initial-delay-hint')} class="hint">
            e.g. 30s, 5m; cancelable while it lasts
          </span>
          <button type="submit" class="danger" disabled={busy}>
            Uninstall alerting
          </button>
        </form>
      )}

      {isActive(task) && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void cancel()}>
            Cancel uninstall
          </button>
        </div>
      )}
      {confirming && (
        <UninstallDialog
          clusterId={cluster.id}
          deleteStoredData={deleteStoredData}
          initialDelay={initialDelay.trim() || '0s'}
          onConfirm={() => {
            setConfirming(false);
            void uninstall();
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
      <ActionResult outcome={outcome} />
      {task && <UninstallTask task={task} headingId={id('uninstall-title')} />}
    </section>
  );
}
