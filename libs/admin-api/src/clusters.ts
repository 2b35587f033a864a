/** An agent's last reported health (control.Health) as JSON. */
export interface HealthView {
  ready: boolean;
  conditions: string[];
  annotations: Record<string, string>;
  /** When the agent's health last changed; RFC 3339. */
  timestamp: string | undefined;
}

/** GET /api/v1/clusters: one joined cluster. Times are RFC 3339. */
export interface ClusterView {
  id: string;
  labels: Record<string, string>;
  capabilities: { name: string; deletionTimestamp?: string }[];
  connected: boolean;
  joinedAt: string;
  /** The last session's start, address and agent version; null before the first session. */
  lastConnectedAt: string | null;
  lastAddress: string | null;
  agentVersion: string | null;
  /** The agent's last reported health while it is connected; null otherwise. */
  health: HealthView | null;
  /** When its newest stored notification was received; null when none is stored. */
  lastNotificationAt: string | null;
}

/** What GET /api/v1/clusters can sort by (`sort=`). */
export const CLUSTER_SORT_KEYS = [
  'id',
  'connected',
  'lastConnectedAt',
  'joinedAt',
  'alerting',
  'queued',
  'oldestQueued',
  'losses',
  'lastNotificationAt',
] as const;
export type ClusterSortKey = (typeof CLUSTER_SORT_KEYS)[number];

/** The alerting capability of a cluster as `alerting=` filters it. */
export const ALERTING_STATES = ['installed', 'uninstalling', 'not-installed'] as const;
export type AlertingState = (typeof ALERTING_STATES)[number];

/**
 * GET /api/v1/clusters?q=&connected=&alerting=&sort=&order=&limit=&offset=:
 * the clusters that match, sorted, a page at a time (every one without `limit`).
 */
export interface ClusterListJson {
  clusters: ClusterView[];
  /** How many match the filters (all pages). */
  total: number;
}
