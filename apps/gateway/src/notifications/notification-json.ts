import { goldenSignalName, severityName } from '@app/notification';
import type { alerting } from '@app/proto';

/** A stored notification as the HTTP API and the SSE feed show it. */
export interface NotificationJson {
  /** The store's position, as a string: it is a 64-bit integer. */
  seq: string;
  clusterId: string;
  id: string;
  title: string;
  body: string;
  severity: string;
  goldenSignal: string;
  receivedAt: string;
  properties: Record<string, string>;
}

export function notificationJson(stored: alerting.StoredNotification): NotificationJson {
  return {
    seq: stored.seq.toString(),
    clusterId: stored.clusterId,
    id: stored.id,
    title: stored.notification?.title ?? '',
    body: stored.notification?.body ?? '',
    severity: severityName(stored.severity),
    goldenSignal: goldenSignalName(stored.goldenSignal),
    receivedAt: (stored.receivedAt ?? new Date(0)).toISOString(),
    properties: stored.notification?.properties ?? {},
  };
}
