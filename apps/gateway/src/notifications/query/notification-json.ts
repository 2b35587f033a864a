import type { NotificationJson } from '@app/admin-api';
import { goldenSignalName, severityName } from '@app/notification-model';
import type { alerting } from '@app/proto';

/** A stored notification as the HTTP API and the SSE feed show it. */
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
