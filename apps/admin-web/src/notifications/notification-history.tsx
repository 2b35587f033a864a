import { useEffect, useState } from 'preact/hooks';
import { readProblem } from '../api/reachability.js';
import { searchWords, type NotificationJson, type NotificationListJson } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { severitiesFrom, type NotificationFilter } from './notification-filter.js';
import { NotificationList } from './notification-list.js';

const PAGE_SIZE = 50;

interface Props {
  filter: NotificationFilter;
  onOpen(notification: NotificationJson): void;
}

interface Pages {
  loaded: NotificationJson[];
  /** null: no older page; undefined: the first page is not read yet. */
  nextCursor: string | null | undefined;
}

/** Stored notifications, newest first, a page at a time, filtered by the gateway. */
export function NotificationHistory({ filter, onOpen }: Props) {
  const [pages, setPages] = useState<Pages>({ loaded: [], nextCursor: undefined });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [reloads, setReloads] = useState(0);

  const query = (cursor?: string) => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filter.cluster !== '') params.append('cluster', filter.cluster);
    for (const severity of severitiesFrom(filter.minSeverity)) params.append('severity', severity);
    if (filter.goldenSignal !== '') params.append('goldenSignal', filter.goldenSignal);
    if (searchWords(filter.text).length > 0) params.set('q', filter.text);
    if (cursor !== undefined) params.set('cursor', cursor);
    return `/api/v1/notifications?${params}`;
  };

  const load = async (cursor: string | undefined, signal?: AbortSignal) => {
    setLoading(true);
    try {
      const page = await apiGet<NotificationListJson>(query(cursor), signal);
      setPages((previous) => ({
        loaded: cursor === undefined ? page.notifications : [...previous.loaded, ...page.notifications],
        nextCursor: page.nextCursor,
      }));
      setError(undefined);
    } catch (failure) {
      if (!signal?.aborted) setError(readProblem(failure));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  // A new filter starts again from the newest page.
  useEffect(() => {
    const abort = new AbortController();
    setPages({ loaded: [], nextCursor: undefined });
    void load(undefined, abort.signal);
    return () => abort.abort();
  }, [filter.cluster, filter.minSeverity, filter.goldenSignal, filter.text, reloads]);

  const shown = pages.loaded;
  return (
    <section aria-labelledby="history-title" class="panel">
      <h3 id="history-title">History</h3>
      {error && (
        <p role="alert" class="error">
          Could not read the stored notifications: {error}
        </p>
      )}
      <p class="hint" role="status">
        {loading
          ? 'Loading…'
          : `${shown.length} shown of ${pages.loaded.length} loaded${pages.nextCursor === null ? ' (all that match)' : ''}.`}{' '}
        <button type="button" class="secondary" disabled={loading} onClick={() => setReloads((n) => n + 1)}>
          Reload
        </button>
      </p>
      <NotificationList notifications={shown} label="Stored notifications" onOpen={onOpen} />
      {typeof pages.nextCursor === 'string' && (
        <button type="button" disabled={loading} onClick={() => void load(pages.nextCursor ?? undefined)}>
          Load older
        </button>
      )}
    </section>
  );
}
