import { useState } from 'preact/hooks';
import type { AlertmanagerTargetJson, AlertmanagerTargetListJson } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { TimeText } from '../time-text.js';
import { usePolling } from '../use-polling.js';

/** How often the targets' state is read again. */
const REFRESH_MS = 5_000;

const STATE_TEXT: Record<AlertmanagerTargetJson['state'], string> = {
  ok: 'OK',
  retrying: 'Retrying',
  failing: 'Failing',
};

/** Each Alertmanager target (GATEWAY_RECEIVERS_FILE): delivery state, backlog, and how each of its Alertmanagers answers. */
export function AlertmanagersView() {
  const [targets, setTargets] = useState<AlertmanagerTargetJson[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  usePolling(
    async (signal) => {
      try {
        setTargets((await apiGet<AlertmanagerTargetListJson>('/api/v1/alertmanagers', signal)).alertmanagers);
        setError(undefined);
      } catch (failure) {
        if (!signal.aborted) setError(failure instanceof Error ? failure.message : String(failure));
      }
    },
    REFRESH_MS,
    [],
  );

  return (
    <section aria-labelledby="alertmanagers-title">
      <h2 id="alertmanagers-title">Alertmanager targets</h2>
      {error && (
        <p role="alert" class="error">
          Could not read the Alertmanager targets: {error}
        </p>
      )}
      {targets?.length === 0 && (
        <p>No Alertmanager target: declare them under "alertmanagers" in the gateway's receivers file.</p>
      )}
      <div class="cards">
        {targets?.map((target) => (
          <AlertmanagerCard key={target.name} target={target} />
        ))}
      </div>
    </section>
  );
}

function AlertmanagerCard({ target }: { target: AlertmanagerTargetJson }) {
  const titleId = `alertmanager-${target.name}-title`;
  return (
    <article class="card" aria-labelledby={titleId}>
      <h3 id={titleId}>
        Alertmanager target {target.name}{' '}
        <span class={`state state-${target.state}`} data-testid="alertmanager-state">
          {STATE_TEXT[target.state]}
        </span>
      </h3>
      <dl class="facts">
        <dt>Backlog</dt>
        <dd data-testid="alertmanager-backlog">{target.backlog}</dd>
        <dt>Lag</dt>
        <dd>{target.lagSeconds.toFixed(1)} s</dd>
        <dt>Delivered</dt>
        <dd data-testid="alertmanager-delivered">{target.delivered}</dd>
        <dt>Expired</dt>
        <dd>{target.expired}</dd>
        <dt>Dead-lettered</dt>
        <dd>{target.deadLettered}</dd>
        <dt>Last success</dt>
        <dd>{target.lastSuccessAt ? <TimeText iso={target.lastSuccessAt} /> : '—'}</dd>
        {target.lastError && (
          <>
            <dt>Last error</dt>
            <dd>{target.lastError.message}</dd>
          </>
        )}
        {target.externalUrl && (
          <>
            <dt>Web UI</dt>
            <dd>
              <a href={target.externalUrl} target="_blank" rel="noopener noreferrer">
                {target.externalUrl}
              </a>
            </dd>
          </>
        )}
      </dl>
      <h4>Alertmanagers</h4>
      <ul class="peers">
        {target.peers.map((peer) => (
          <li key={peer.url}>
            <span class={`state state-${peer.up === null ? 'unknown' : peer.up ? 'ok' : 'failing'}`}>
              {peer.up === null ? 'Not tried' : peer.up ? 'Up' : 'Down'}
            </span>{' '}
            {peer.url}
            {peer.lastError && !peer.up && <> — {peer.lastError.message}</>}
          </li>
        ))}
      </ul>
    </article>
  );
}
