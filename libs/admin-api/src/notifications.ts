/** Severity names, least important first, as the API writes and accepts them. */
export const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Golden signal names, as the API writes and accepts them. */
export const GOLDEN_SIGNALS = ['Custom', 'Errors', 'Saturation', 'Traffic', 'Latency'] as const;
export type GoldenSignal = (typeof GOLDEN_SIGNALS)[number];

/** The orders GET /api/v1/notifications lists in (`order`): newest first (the default), or most severe first, then newest. */
export const NOTIFICATION_ORDERS = ['newest', 'severity'] as const;
export type NotificationOrder = (typeof NOTIFICATION_ORDERS)[number];

/** A stored notification as the HTTP API and the SSE feed show it. */
export interface NotificationJson {
  /** The store's position, as a string: it is a uint64 and JSON numbers lose precision past 2^53. */
  seq: string;
  clusterId: string;
  id: string;
  title: string;
  body: string;
  severity: Severity;
  goldenSignal: GoldenSignal;
  /** RFC 3339, UTC, to the millisecond. */
  receivedAt: string;
  properties: Record<string, string>;
}

/** GET /api/v1/notifications: a page, newest first. */
export interface NotificationListJson {
  notifications: NotificationJson[];
  /** Pass as `cursor` for the next (older) page; null when no more match. */
  nextCursor: string | null;
}

/** GET /api/v1/notifications/counts: how many stored notifications match the filters, per severity. */
export interface NotificationCountsJson {
  bySeverity: Record<Severity, number>;
  total: number;
}
