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
}
