// The shapes of the gateway's HTTP API, as the page reads them. They mirror
// apps/gateway/src/cluster-status/clusters.controller.ts,
// apps/gateway/src/alerting-capability/alerting-admin.controller.ts,
// apps/gateway/src/notifications/notification-json.ts and
// apps/gateway/src/tokens/tokens.controller.ts (which cannot be
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

export type TokenState = 'active' | 'expired' | 'used-up' | 'revoked';

/** A bootstrap token as listed: never its secret. */
export interface TokenView {
  id: string;
  state: TokenState;
  createdAt: string;
  /** null: it never expires. */
  expiresAt: string | null;
  /** 0: any number of joins. */
  maxUsages: number;
  usages: number;
  labels: Record<string, string>;
  revokedAt: string | null;
}

/** POST /api/v1/tokens: every field optional (the gateway's defaults: 1h, 1 join, no labels). */
export interface NewTokenRequest {
  /** A duration such as 30s, 15m, 1h, 7d; "0s": never expires. */
  ttl?: string;
  /** 0: any number of joins. A value that is not a number is passed on for the gateway to refuse. */
  maxUsages?: number | string;
  labels?: Record<string, string>;
}

/** A token just created: the only answer that carries its secret. */
export interface CreatedTokenView extends TokenView {
  /** "<id>.<secret>". */
  token: string;
  /** The gateway's public-key pin agents check (AGENT_GATEWAY_PIN). */
  pin: string;
  /** A shell command that joins an agent with this token; it contains "<cluster id>" to fill in. */
  joinCommand: string;
}
