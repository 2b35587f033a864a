import { ALERTING_STATES, CLUSTER_SORT_KEYS, type AlertingState, type ClusterSortKey } from '@app/admin-api';

/** The clusters table's state, as kept in the address (#/clusters?q=…&sort=…): a view can be bookmarked and shared. */
export interface ClusterTableState {
  q: string;
  connected: '' | 'true' | 'false';
  alerting: '' | AlertingState;
  sort: ClusterSortKey;
  order: 'asc' | 'desc';
  /** 1-based. */
  page: number;
}

export const PAGE_SIZE = 50;

export const DEFAULT_TABLE_STATE: ClusterTableState = {
  q: '',
  connected: '',
  alerting: '',
  sort: 'id',
  order: 'asc',
  page: 1,
};

/** Reads the state from the query part of the hash; anything unknown falls back to the default. */
export function tableStateFrom(search: string): ClusterTableState {
  const params = new URLSearchParams(search);
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = params.get(name);
    return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
  };
  const page = Number(params.get('page'));
  return {
    q: params.get('q') ?? '',
    connected: pick('connected', ['', 'true', 'false'] as const, ''),
    alerting: pick('alerting', ['', ...ALERTING_STATES] as const, ''),
    sort: pick('sort', CLUSTER_SORT_KEYS, 'id'),
    order: pick('order', ['asc', 'desc'] as const, 'asc'),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

/** The query part of the hash for a state; defaults are left out so that the address stays short. */
export function tableStateSearch(state: ClusterTableState): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULT_TABLE_STATE) as (keyof ClusterTableState)[]) {
    if (state[key] !== DEFAULT_TABLE_STATE[key]) params.set(key, String(state[key]));
  }
  return params.toString();
}

/** The API request for a state: the gateway filters, sorts and pages. */
export function clustersApiPath(state: ClusterTableState): string {
  const params = new URLSearchParams({
    sort: state.sort,
    order: state.order,
    limit: String(PAGE_SIZE),
    offset: String((state.page - 1) * PAGE_SIZE),
  });
  if (state.q.trim() !== '') params.set('q', state.q.trim());
  if (state.connected !== '') params.set('connected', state.connected);
  if (state.alerting !== '') params.set('alerting', state.alerting);
  return `/api/v1/clusters?${params}`;
}
