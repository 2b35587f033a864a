import { GOLDEN_SIGNALS, SEVERITIES, type GoldenSignal, type Severity } from '@app/admin-api';
import type { NotificationFilter } from './notification-filter.js';

interface Props {
  filter: NotificationFilter;
  clusterIds: string[];
  onChange(filter: NotificationFilter): void;
}

/** The filters both the live feed and the history apply. */
export function NotificationFilters({ filter, clusterIds, onChange }: Props) {
  const set = (change: Partial<NotificationFilter>) => onChange({ ...filter, ...change });
  return (
    <form class="filters" role="search" aria-label="Filter notifications" onSubmit={(event) => event.preventDefault()}>
      <label>
        Cluster
        <select value={filter.cluster} onChange={(event) => set({ cluster: event.currentTarget.value })}>
          <option value="">All clusters</option>
          {clusterIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minimum severity
        <select
          value={filter.minSeverity}
          onChange={(event) => set({ minSeverity: event.currentTarget.value as Severity })}
        >
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {severity}
            </option>
          ))}
        </select>
      </label>
      <label>
        Golden signal
        <select
          value={filter.goldenSignal}
          onChange={(event) => set({ goldenSignal: event.currentTarget.value as GoldenSignal | '' })}
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
        Text
        <input
          type="search"
          value={filter.text}
          onInput={(event) => set({ text: event.currentTarget.value })}
          aria-describedby="text-filter-hint"
        />
      </label>
      <p id="text-filter-hint" class="hint">
        Text is matched in this browser, over the notifications already loaded (title, body, id, cluster, properties):
        the gateway cannot search text. Load older history pages to search further back.
      </p>
    </form>
  );
}
