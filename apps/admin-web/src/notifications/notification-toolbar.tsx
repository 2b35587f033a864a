import { useState } from 'preact/hooks';
import { GOLDEN_SIGNALS, MAX_SEARCH_LENGTH, type ClusterListJson, type GoldenSignal } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { usePolling } from '../use-polling.js';
import type { NotificationViewState } from './notification-view-state.js';

/** The cluster choices are read again this often (not once: clusters join while the page is open). */
const CLUSTERS_REFRESH_MS = 30_000;

/** An RFC 3339 instant as a datetime-local input shows it (the browser's zone), and back. */
const toLocalInput = (iso: string) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : '');

interface Props {
  state: NotificationViewState;
  onChange(change: Partial<NotificationViewState>): void;
}

/** Cluster, golden signal, time range, text, dedupe key and order. The severities are the chips. */
export function NotificationToolbar({ state, onChange }: Props) {
  const [clusterIds, setClusterIds] = useState<string[]>([]);
  usePolling(
    async (signal) => {
      try {
        const listed = await apiGet<ClusterListJson>('/api/v1/clusters?sort=id', signal);
        setClusterIds(listed.clusters.map((cluster) => cluster.id));
      } catch {
        // the choice is a convenience: "All clusters" and a cluster from the address still work
      }
    },
    CLUSTERS_REFRESH_MS,
    [],
  );
  const clusters = state.cluster && !clusterIds.includes(state.cluster) ? [state.cluster, ...clusterIds] : clusterIds;

  return (
    <form class="filters" role="search" aria-label="Filter notifications" onSubmit={(event) => event.preventDefault()}>
      <label>
        Cluster
        <select value={state.cluster} onChange={(event) => onChange({ cluster: event.currentTarget.value })}>
          <option value="">All clusters</option>
          {clusters.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Golden signal
        <select
          value={state.goldenSignal}
          onChange={(event) => onChange({ goldenSignal: event.currentTarget.value as GoldenSignal | '' })}
        >
          <option value="">Any</option>
          {GOLDEN_SIGNALS.map((signal) => (
            <option key={signal} value={signal}>
              {signal}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="datetime-local"
          value={toLocalInput(state.since)}
          onChange={(event) => onChange({ since: fromLocalInput(event.currentTarget.value) })}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          value={toLocalInput(state.until)}
          onChange={(event) => onChange({ until: fromLocalInput(event.currentTarget.value) })}
        />
      </label>
      <label>
        Text
        <input
          type="search"
          value={state.text}
          maxLength={MAX_SEARCH_LENGTH}
          onInput={(event) => onChange({ text: event.currentTarget.value })}
          aria-describedby="text-filter-hint"
        />
      </label>
      <label>
        Dedupe key
        <input
          type="search"
          value={state.dedupeKey}
          onChange={(event) => onChange({ dedupeKey: event.currentTarget.value })}
        />
      </label>
      <label>
        Order
        <select
          value={state.order}
          onChange={(event) => onChange({ order: event.currentTarget.value as NotificationViewState['order'] })}
        >
          <option value="newest">Newest first</option>
          <option value="severity">Most severe first</option>
        </select>
      </label>
      <p id="text-filter-hint" class="hint">
        Text finds notifications where each word starts a word of the title, body or a property value, in any case; the
        gateway applies every filter and the order to all it stores, and older pages load as you scroll.
      </p>
    </form>
  );
}
