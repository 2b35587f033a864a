import {
  ALERTING_STATES,
  CLUSTER_SORT_KEYS,
  type AlertingState,
  type ClusterSortKey,
  type ClusterView,
} from '@app/admin-api';
import { InvalidArgumentError } from '@app/runtime';

/** Query parameters as Express parses them: a repeated name gives an array. */
export type QueryParams = Record<string, unknown>;

export const MAX_CLUSTER_PAGE = 1000;
const PARAMS = ['q', 'connected', 'alerting', 'sort', 'order', 'limit', 'offset'];

/** GET /api/v1/clusters's filters, order and page. */
export interface ClusterListQuery {
  /** Case-insensitive substring of the id or of a label "key=value". */
  text?: string;
  connected?: boolean;
  alerting?: AlertingState;
  sort: ClusterSortKey;
  descending: boolean;
  /** Undefined: every match. */
  limit?: number;
  offset: number;
}

function single(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidArgumentError(name, 'must be given at most once, as plain text');
  return value;
}

function oneOf<T extends string>(name: string, value: string | undefined, names: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(names as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(name, `${JSON.stringify(value)} is not one of ${names.join(', ')}`);
  }
  return value as T;
}

function whole(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(name, `must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

/** The query its parameters ask for; InvalidArgumentError names a bad or unknown one. */
export function clusterListQuery(params: QueryParams): ClusterListQuery {
  for (const name of Object.keys(params)) {
    if (!PARAMS.includes(name)) {
      throw new InvalidArgumentError(name, `is not a parameter of this endpoint (known: ${PARAMS.join(', ')})`);
    }
  }
  const text = single(params, 'q');
  if (text !== undefined && text.length > 200) throw new InvalidArgumentError('q', 'must be at most 200 characters');
  const connected = oneOf('connected', single(params, 'connected'), ['true', 'false'] as const);
  return {
    text: text?.trim() ? text.trim().toLowerCase() : undefined,
    connected: connected === undefined ? undefined : connected === 'true',
    alerting: oneOf('alerting', single(params, 'alerting'), ALERTING_STATES),
    sort: oneOf('sort', single(params, 'sort'), CLUSTER_SORT_KEYS) ?? 'id',
    descending: (oneOf('order', single(params, 'order'), ['asc', 'desc'] as const) ?? 'asc') === 'desc',
    limit: whole('limit', single(params, 'limit'), 1, MAX_CLUSTER_PAGE),
    offset: whole('offset', single(params, 'offset'), 0, 9_999_999) ?? 0,
  };
}

export function alertingStateOf(cluster: Pick<ClusterView, 'capabilities'>): AlertingState {
  const capability = cluster.capabilities.find((c) => c.name === 'alerting');
  if (!capability) return 'not-installed';
  return capability.deletionTimestamp ? 'uninstalling' : 'installed';
}

const figure = (cluster: ClusterView, key: string): number => {
  const value = cluster.health?.annotations[key];
  return value === undefined ? -1 : Number(value) || 0;
};

/** Notifications lost or set aside at the agent: evicted, rejected, dead-lettered, corrupt. */
export function lossesOf(cluster: ClusterView): number {
  if (!cluster.health) return -1;
  return ['queue.evicted', 'queue.rejected', 'queue.deadLettered', 'queue.corrupt']
    .map((key) => figure(cluster, key))
    .reduce((sum, n) => sum + Math.max(0, n), 0);
}

const ALERTING_ORDER: Record<AlertingState, number> = { 'not-installed': 0, installed: 1, uninstalling: 2 };
const time = (iso: string | null) => (iso === null ? -Infinity : Date.parse(iso));

/** The value a cluster sorts by; unknown sorts as lowest. */
const SORT_VALUE: Record<ClusterSortKey, (cluster: ClusterView) => number | string> = {
  id: (c) => c.id,
  connected: (c) => (c.connected ? 1 : 0),
  lastConnectedAt: (c) => time(c.lastConnectedAt),
  joinedAt: (c) => time(c.joinedAt),
  alerting: (c) => ALERTING_ORDER[alertingStateOf(c)],
  queued: (c) => figure(c, 'queue.count'),
  oldestQueued: (c) => figure(c, 'queue.oldestAgeSeconds'),
  losses: lossesOf,
  lastNotificationAt: (c) => time(c.lastNotificationAt),
};

function matchesText(cluster: ClusterView, text: string): boolean {
  if (cluster.id.toLowerCase().includes(text)) return true;
  return Object.entries(cluster.labels).some(([key, value]) => `${key}=${value}`.toLowerCase().includes(text));
}

/** Filters, sorts (ties by id, ascending) and pages `clusters`; `total` counts every match. */
export function listClusters(
  clusters: ClusterView[],
  query: ClusterListQuery,
): { clusters: ClusterView[]; total: number } {
  const matching = clusters.filter(
    (cluster) =>
      (query.text === undefined || matchesText(cluster, query.text)) &&
      (query.connected === undefined || cluster.connected === query.connected) &&
      (query.alerting === undefined || alertingStateOf(cluster) === query.alerting),
  );
  const value = SORT_VALUE[query.sort];
  const direction = query.descending ? -1 : 1;
  const keyed = matching.map((cluster) => ({ cluster, key: value(cluster) }));
  keyed.sort((a, b) => {
    if (a.key !== b.key) return (a.key < b.key ? -1 : 1) * direction;
    return a.cluster.id < b.cluster.id ? -1 : a.cluster.id > b.cluster.id ? 1 : 0;
  });
  const end = query.limit === undefined ? undefined : query.offset + query.limit;
  return { clusters: keyed.slice(query.offset, end).map(({ cluster }) => cluster), total: matching.length };
}
