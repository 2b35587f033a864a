import { createHash } from 'node:crypto';
import { GOLDEN_SIGNAL_NAMES, NotificationProperty, severityName } from '@app/notification-model';
import type { alerting } from '@app/proto';

/**
 * Prometheus Alertmanager's webhook payload (version 4), so that anything that
 * accepts Alertmanager webhooks accepts ours. Field order follows
 * Alertmanager's own JSON.
 */
export interface AlertmanagerWebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AlertmanagerAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's endsAt of an alert that is still firing (Go's zero time). */
export const ALERTMANAGER_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A Prometheus label name; `__`-prefixed names are reserved for Prometheus itself. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Properties that become labels under their own names below, not copied as they are. */
const MAPPED_PROPERTIES = new Set<string>([
  NotificationProperty.uuid,
  NotificationProperty.severity,
  NotificationProperty.goldenSignal,
  NotificationProperty.clusterId,
]);

/** Stable across restarts and gateways: 16 hex digits of SHA-256 over (cluster, id). */
export function fingerprintOf(clusterId: string, id: string): string {
  return createHash('sha256')
    .update(JSON.stringify([clusterId, id]))
    .digest('hex')
    .slice(0, 16);
}

/** Keys sorted, as Alertmanager (Go maps) writes them, so equal label sets serialize equally. */
function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The labels of a stored notification: ours first, then its other properties that are valid label names. */
export function labelsOf(stored: alerting.StoredNotification): Record<string, string> {
  const labels: Record<string, string> = {
    alertname: stored.notification?.title ?? '',
    severity: severityName(stored.severity).toLowerCase(),
    golden_signal: (GOLDEN_SIGNAL_NAMES[stored.goldenSignal as number] ?? 'Custom').toLowerCase(),
    cluster_id: stored.clusterId,
    opni_uuid: stored.id,
  };
  for (const [key, value] of Object.entries(stored.notification?.properties ?? {})) {
    // Prometheus treats an empty label value as no label.
    if (
      MAPPED_PROPERTIES.has(key) ||
      Object.hasOwn(labels, key) ||
      !LABEL_NAME.test(key) ||
      key.startsWith('__') ||
      value === ''
    )
      continue;
    labels[key] = value;
  }
  return sorted(labels);
}

export function alertOf(stored: alerting.StoredNotification, generatorURL: string): AlertmanagerAlert {
  return {
    status: 'firing',
    labels: labelsOf(stored),
    annotations: sorted({ summary: stored.notification?.title ?? '', description: stored.notification?.body ?? '' }),
    startsAt: (stored.receivedAt ?? new Date(0)).toISOString(),
    endsAt: ALERTMANAGER_ZERO_TIME,
    generatorURL,
    fingerprint: fingerprintOf(stored.clusterId, stored.id),
  };
}

/** The pairs that every one of `records` has with the same value. */
function common(records: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = records;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((r) => r[key] === value)));
}

/**
 * One POST's body: `stored` (oldest first) as firing alerts of one group, the
 * receiver's; `externalURL` is the gateway's (empty when not configured).
 */
export function webhookMessage(
  receiver: string,
  stored: readonly alerting.StoredNotification[],
  externalURL: string,
): AlertmanagerWebhookMessage {
  const base = externalURL.replace(/\/+$/, '');
  const generatorURL = base === '' ? '' : `${base}/api/v1/notifications`;
  const alerts = stored.map((notification) => alertOf(notification, generatorURL));
  return {
    receiver,
    status: 'firing',
    alerts,
    groupLabels: {},
    commonLabels: common(alerts.map((alert) => alert.labels)),
    commonAnnotations: common(alerts.map((alert) => alert.annotations)),
    externalURL: base,
    version: '4',
    groupKey: `{}/{receiver=${JSON.stringify(receiver)}}:{}`,
    truncatedAlerts: 0,
  };
}
