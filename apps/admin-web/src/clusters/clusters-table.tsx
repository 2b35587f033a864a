import { useState } from 'preact/hooks';
import type { ClusterListJson, ClusterSortKey, ClusterView } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { TimeText } from '../time-text.js';
import { usePolledRead } from '../use-polling.js';
import { clustersApiPath, PAGE_SIZE, type ClusterTableState } from './cluster-query.js';
import { HealthBadge } from './health-badge.js';
import { LOSS_FIGURES } from './health-summary.js';

/** How often the page of clusters is read again. */
const REFRESH_MS = 5_000;

const COLUMNS: { key: ClusterSortKey | undefined; title: string }[] = [
  { key: 'id', title: 'Cluster' },
  { key: undefined, title: 'Labels' },
  { key: 'connected', title: 'Connection' },
  { key: 'alerting', title: 'Alerting' },
  { key: undefined, title: 'Health' },
  { key: 'queued', title: 'Queued' },
  { key: 'oldestQueued', title: 'Oldest queued' },
  { key: 'losses', title: 'Lost' },
  { key: 'lastNotificationAt', title: 'Last notification' },
];

const ALERTING_TEXT = { installed: 'Installed', uninstalling: 'Uninstalling', 'not-installed': 'Not installed' };

function alertingOf(cluster: ClusterView): keyof typeof ALERTING_TEXT {
  const capability = cluster.capabilities.find((c) => c.name === 'alerting');
  if (!capability) return 'not-installed';
  return capability.deletionTimestamp ? 'uninstalling' : 'installed';
}

/** "3 min", "2 h": an age in seconds, short. */
function ageText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function ClusterRow({ cluster }: { cluster: ClusterView }) {
  const annotations = cluster.health?.annotations;
  const losses = annotations
    ? LOSS_FIGURES.map((key) => [key.slice('queue.'.length), Number(annotations[key] ?? '0')] as const).filter(
        ([, count]) => count > 0,
      )
    : [];
  const alerting = alertingOf(cluster);
  return (
    <tr data-testid={`cluster-row-${cluster.id}`}>
      <th scope="row">
        <a href={`#/clusters/${encodeURIComponent(cluster.id)}`}>{cluster.id}</a>
      </th>
      <td class="labels-cell">
        {Object.entries(cluster.labels)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ') || '—'}
      </td>
      <td>
        {cluster.connected ? (
          <span class="health-badge tone-ok">Connected</span>
        ) : (
          <span class="health-badge tone-neutral">
            {cluster.lastConnectedAt ? (
              <>
                Last seen <TimeText iso={cluster.lastConnectedAt} />
              </>
            ) : (
              'Never connected'
            )}
          </span>
        )}
      </td>
      <td>
        <span
          class={`health-badge ${alerting === 'uninstalling' ? 'tone-warn' : alerting === 'installed' ? 'tone-ok' : 'tone-neutral'}`}
        >
          {ALERTING_TEXT[alerting]}
        </span>
      </td>
      <td>{cluster.health ? <HealthBadge health={cluster.health} /> : '—'}</td>
      <td class="number">{annotations?.['queue.count'] ?? '—'}</td>
      <td class="number">
        {annotations && Number(annotations['queue.count'] ?? '0') > 0
          ? ageText(Number(annotations['queue.oldestAgeSeconds'] ?? '0'))
          : '—'}
      </td>
      <td class={`number${losses.length > 0 ? ' loss' : ''}`}>
        {annotations ? (losses.length === 0 ? '0' : losses.map(([name, count]) => `${count} ${name}`).join(', ')) : '—'}
      </td>
      <td>
        <TimeText iso={cluster.lastNotificationAt} />
      </td>
    </tr>
  );
}

const CONNECTION_CHOICES: [ClusterTableState['connected'], string][] = [
  ['', 'Any'],
  ['true', 'Connected'],
  ['false', 'Disconnected'],
];

const ALERTING_CHOICES: [ClusterTableState['alerting'], string][] = [
  ['', 'Any'],
  ['installed', 'Installed'],
  ['uninstalling', 'Uninstalling'],
  ['not-installed', 'Not installed'],
];

/** One of the table's filters: a labelled choice among `options` ([value, text] pairs). */
function FilterSelect<Value extends string>(props: {
  label: string;
  value: Value;
  options: [Value, string][];
  onSelect(value: Value): void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(event) => props.onSelect(event.currentTarget.value as Value)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Props {
  state: ClusterTableState;
  /** A new state: the address changes, which renders this view again. */
  onState(state: ClusterTableState): void;
}

/**
 * Every cluster in a table the gateway filters, sorts and pages (so that it
 * stays fast with a thousand clusters); its state is in the address.
 */
export function ClustersTable({ state, onState }: Props) {
  /** The last page read, with the state it was read for: the count describes the rows shown, not the ones asked for. */
  const [loaded, setLoaded] = useState<{ listing: ClusterListJson; state: ClusterTableState } | undefined>();
  const path = clustersApiPath(state);

  const error = usePolledRead(
    async (signal) => setLoaded({ listing: await apiGet<ClusterListJson>(path, signal), state }),
    REFRESH_MS,
    [path],
  );

  const change = (update: Partial<ClusterTableState>) => onState({ ...state, page: 1, ...update });
  const listing = loaded?.listing;
  const shownPage = loaded?.state.page ?? 1;
  const pages = listing ? Math.max(1, Math.ceil(listing.total / PAGE_SIZE)) : 1;
  const first = listing && listing.total > 0 ? (shownPage - 1) * PAGE_SIZE + 1 : 0;
  const last = listing ? Math.min(listing.total, shownPage * PAGE_SIZE) : 0;
  const filtered = loaded ? loaded.state.q || loaded.state.connected || loaded.state.alerting : false;

  return (
    <section aria-labelledby="clusters-title">
      <h2 id="clusters-title">Clusters</h2>
      <form class="filters" role="search" aria-label="Filter clusters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={state.q}
            placeholder="id or label, e.g. env=prod"
            onInput={(event) => change({ q: event.currentTarget.value })}
          />
        </label>
        <FilterSelect
          label="Connection"
          value={state.connected}
          options={CONNECTION_CHOICES}
          onSelect={(connected) => change({ connected })}
        />
        <FilterSelect
          label="Alerting"
          value={state.alerting}
          options={ALERTING_CHOICES}
          onSelect={(alerting) => change({ alerting })}
        />
      </form>
      {error && (
        <p role="alert" class="error">
          Could not read the clusters: {error}
        </p>
      )}
      <p class="hint" role="status" data-testid="clusters-count">
        {listing === undefined
          ? 'Loading…'
          : listing.total === 0
            ? filtered
              ? 'No cluster matches.'
              : 'No cluster yet: a cluster appears here when its agent first connects to this gateway.'
            : `${first}–${last} of ${listing.total} clusters`}
      </p>
      <div class="table-scroll">
        <table class="clusters-table" aria-labelledby="clusters-title">
          <thead>
            <tr>
              {COLUMNS.map(({ key, title }) => (
                <th
                  key={title}
                  scope="col"
                  aria-sort={key === state.sort ? (state.order === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {key === undefined ? (
                    title
                  ) : (
                    <button
                      type="button"
                      class="sort-button"
                      onClick={() =>
                        change({
                          sort: key,
                          order:
                            key === state.sort && state.order === 'asc'
                              ? 'desc'
                              : key === state.sort
                                ? 'asc'
                                : key === 'id'
                                  ? 'asc'
                                  : 'desc',
                        })
                      }
                    >
                      {title}
                      <span aria-hidden="true">{key === state.sort ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {listing?.clusters.map((cluster) => (
              <ClusterRow key={cluster.id} cluster={cluster} />
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages of clusters">
        <button
          type="button"
          class="secondary"
          disabled={state.page <= 1}
          onClick={() => onState({ ...state, page: state.page - 1 })}
        >
          Previous
        </button>
        <span>
          Page {state.page} of {pages}
        </span>
        <button
          type="button"
          class="secondary"
          disabled={state.page >= pages}
          onClick={() => onState({ ...state, page: state.page + 1 })}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
