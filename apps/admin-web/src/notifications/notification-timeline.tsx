import { useEffect, useRef, useState } from 'preact/hooks';
import type { NotificationJson, NotificationListJson } from '@app/admin-api';
import { apiGet } from '../api/gateway-api.js';
import { followNotifications, type StreamState } from '../api/notification-stream.js';
import { readProblem } from '../api/reachability.js';
import { TimeText } from '../time-text.js';
import {
  bySeverity,
  listPath,
  matchesView,
  streamMinSeverity,
  type NotificationViewState,
} from './notification-view-state.js';
import { SeverityBadge } from './severity-badge.js';

const PAGE_SIZE = 50;
/** Live arrivals kept above the stored pages; older ones are in the store's pages anyway. */
const KEPT_ARRIVALS = 1_000;

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Stopped',
};

interface Props {
  state: NotificationViewState;
  onOpen(notification: NotificationJson): void;
}

/** Newest first, one per seq: arrivals before the pages they may also be in. */
function merged(arrived: NotificationJson[], stored: NotificationJson[]): NotificationJson[] {
  const seen = new Set<string>();
  return [...arrived, ...stored].filter((n) => !seen.has(n.seq) && (seen.add(n.seq), true));
}

/**
 * Most severe first: the gateway's pages are in that order; an arrival goes
 * where it sorts among them, unless it sorts after the last one loaded while
 * older pages remain: then a later page brings it, in its place.
 */
function bySeverityMerged(arrived: NotificationJson[], stored: NotificationJson[], more: boolean): NotificationJson[] {
  const last = stored.at(-1);
  const placed = more && last ? arrived.filter((n) => bySeverity(n, last) < 0) : arrived;
  return merged(placed, stored).sort(bySeverity);
}

/**
 * One list of notifications: the newest page from the store, what arrives
 * live on top (marked "N new" until seen), older pages as it scrolls. The
 * gateway applies the filters and the order to the pages, and the stream
 * what it can (cluster, a minimum severity) to arrivals; the page the rest.
 */
export function NotificationTimeline({ state, onOpen }: Props) {
  const [stored, setStored] = useState<NotificationJson[]>([]);
  /** null: no older page; undefined: the first page is not read yet. */
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [arrived, setArrived] = useState<NotificationJson[]>([]);
  const [unseen, setUnseen] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [stream, setStream] = useState<StreamState>('connecting');
  const sentinel = useRef<HTMLLIElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const loadingRef = useRef(false);
  /** The filters and order the gateway applies: a change starts the list again. */
  const gatewayKey = listPath(state, PAGE_SIZE);

  const load = async (after: string | undefined, signal?: AbortSignal) => {
    if (loadingRef.current && after !== undefined) return;
    loadingRef.current = true;
    setLoading(true);
    try {
      const page = await apiGet<NotificationListJson>(listPath(state, PAGE_SIZE, after), signal);
      setStored((previous) => (after === undefined ? page.notifications : [...previous, ...page.notifications]));
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      if (!signal?.aborted) setError(readProblem(failure));
    } finally {
      if (!signal?.aborted) {
        loadingRef.current = false;
        setLoading(false);
      }
    }
  };

  useEffect(() => {
    const abort = new AbortController();
    setStored([]);
    setArrived([]);
    setUnseen(0);
    setCursor(undefined);
    loadingRef.current = false;
    void load(undefined, abort.signal);
    const stop = followNotifications(
      { cluster: state.cluster, minSeverity: streamMinSeverity(state) },
      {
        notification: (notification) => {
          if (!matchesView(notification, state)) return;
          setArrived((previous) => [notification, ...previous].slice(0, KEPT_ARRIVALS));
          setUnseen((count) => count + 1);
        },
        state: (next) => setStream(next),
      },
    );
    return () => {
      abort.abort();
      stop();
    };
  }, [gatewayKey]);

  // Older pages as the end of the list scrolls into view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || typeof cursor !== 'string') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void load(cursor);
      },
      { root: list.current },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [cursor, gatewayKey]);

  const shown =
    state.order === 'severity'
      ? bySeverityMerged(arrived, stored, typeof cursor === 'string')
      : merged(arrived, stored);
  const newSeqs = new Set(arrived.slice(0, unseen).map((n) => n.seq));

  return (
    <section aria-labelledby="timeline-title" class="panel timeline">
      <h3 id="timeline-title">
        Notifications{' '}
        <span class={`stream-state stream-${stream}`} role="status" data-testid="stream-state">
          {STREAM_TEXT[stream]}
        </span>
      </h3>
      {error && (
        <p role="alert" class="error">
          Could not read the stored notifications: {error}
        </p>
      )}
      <p class="hint" role="status" data-testid="timeline-status">
        {cursor === undefined && loading
          ? 'Loading…'
          : `${shown.length} shown${cursor === null ? ' (all that match)' : ', more as you scroll'}.`}
        {unseen > 0 && (
          <>
            {' '}
            <button
              type="button"
              class="new-marker"
              data-testid="new-marker"
              onClick={() => {
                setUnseen(0);
                list.current?.scrollTo({ top: 0 });
              }}
            >
              {unseen} new — mark as seen
            </button>
          </>
        )}
      </p>
      <ul class="notifications timeline-list" aria-label="Notifications" ref={list}>
        {shown.map((notification) => (
          <li key={notification.seq} class={newSeqs.has(notification.seq) ? 'is-new' : undefined}>
            <button
              type="button"
              class={`notification-row tint-${notification.severity.toLowerCase()}`}
              onClick={() => onOpen(notification)}
            >
              <SeverityBadge severity={notification.severity} />
              <span class="notification-title">
                {newSeqs.has(notification.seq) && <span class="new-tag">new </span>}
                {notification.title}
              </span>
              <span class="notification-meta">
                {notification.clusterId} · {notification.goldenSignal} · <TimeText iso={notification.receivedAt} />
              </span>
            </button>
          </li>
        ))}
        {typeof cursor === 'string' && <li ref={sentinel} class="sentinel" aria-hidden="true" />}
      </ul>
      {typeof cursor === 'string' && (
        <button type="button" class="secondary" disabled={loading} onClick={() => void load(cursor)}>
          Load older
        </button>
      )}
    </section>
  );
}
