import { goldenSignalName, severityName, type GoldenSignalName, type SeverityName } from '@app/notification';
import type { alerting } from '@app/proto';

/** A stored notification as the HTTP API and the SSE feed show it. */
export interface NotificationJson {
  /** The store's position, as a string: it is a uint64 and JSON numbers lose precision past 2^53. */
  seq: string;
  clusterId: string;
  id: string;
  title: string;
  body: string;
  severity: SeverityName;
  goldenSignal: GoldenSignalName;
  /** RFC 3339, UTC, to the millisecond. */
  receivedAt: string;
  properties: Record<string, string>;
}

export function toNotificationJson(stored: alerting.StoredNotification): NotificationJson {
  const { title = '', body = '', properties = {} } = stored.notification ?? {};
  return {
    seq: stored.seq.toString(),
    clusterId: stored.clusterId,
    id: stored.id,
    title,
    body,
    severity: severityName(stored.severity),
    goldenSignal: goldenSignalName(stored.goldenSignal),
    receivedAt: (stored.receivedAt ?? new Date(0)).toISOString(),
    properties: { ...properties },
  };
}
