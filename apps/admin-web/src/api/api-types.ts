// The shapes of the gateway's HTTP API, as the page reads them. They mirror
// apps/gateway/src/cluster-status/clusters.controller.ts,
// apps/gateway/src/alerting-capability/alerting-admin.controller.ts and
// apps/gateway/src/notifications/notification-json.ts (which cannot be
// imported here: they pull in Nest and the protobuf code).

/** Least important first, as the gateway orders them. */
export const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const GOLDEN_SIGNALS = ['Custom', 'Errors', 'Saturation', 'Traffic', 'Latency'] as const;
export type GoldenSignal = (typeof GOLDEN_SIGNALS)[number];

export interface HealthView {
  ready: boolean;
  conditions: string[];
  annotations: Record<string, string>;
  timestamp: string | undefined;
}

export interface ClusterView {
  id: string;
  labels: Record<string, string>;
  capabilities: { name: string; deletionTimestamp?: string }[];
  connected: boolean;
  firstSeenAt: string;
  lastConnectedAt: string;
  lastAddress: string;
  agentVersion: string;
  health: HealthView | null;
}

export interface InstallView {
  status: string;
  message: string;
}

export interface NodeStatusView {
  enabled: boolean;
  lastSync: string | undefined;
  conditions: string[];
  lastRevision: string;
}

export interface TaskStatusView {
  state: string;
  progress?: { current: number; total: number };
  metadata: unknown;
  logs: { timestamp: string | undefined; msg: string; level: number }[];
  transitions: { state: string; timestamp: string | undefined }[];
}

export interface NotificationJson {
  seq: string;
  clusterId: string;
  id: string;
  title: string;
  body: string;
  severity: Severity;
  goldenSignal: GoldenSignal;
  receivedAt: string;
  properties: Record<string, string>;
}

export interface NotificationListJson {
  notifications: NotificationJson[];
  nextCursor: string | null;
}
