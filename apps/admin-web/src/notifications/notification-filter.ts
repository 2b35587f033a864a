import { SEVERITIES, type GoldenSignal, type NotificationJson, type Severity } from '@app/admin-api';

export interface NotificationFilter {
  /** Empty: every cluster. */
  cluster: string;
  minSeverity: Severity;
  /** Empty: any golden signal. */
  goldenSignal: GoldenSignal | '';
  /** Matched in the browser (the gateway stores payloads as protobuf and has no text search). */
  text: string;
}

export const NO_FILTER: NotificationFilter = { cluster: '', minSeverity: 'Info', goldenSignal: '', text: '' };

/** The severities at least as important as `min`: the list API takes the severities it wants, not a minimum. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}

/** Whether the notification contains `text` (any case) in its title, body, id, cluster or any property. */
export function matchesText(notification: NotificationJson, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return true;
  const haystack = [
    notification.title,
    notification.body,
    notification.id,
    notification.clusterId,
    ...Object.entries(notification.properties).flat(),
  ];
  return haystack.some((field) => field.toLowerCase().includes(wanted));
}

/** Every part of the filter, for notifications that arrived unfiltered by the gateway (the live feed's extra parts). */
export function matchesFilter(notification: NotificationJson, filter: NotificationFilter): boolean {
  return (
    (filter.cluster === '' || notification.clusterId === filter.cluster) &&
    SEVERITIES.indexOf(notification.severity) >= SEVERITIES.indexOf(filter.minSeverity) &&
    (filter.goldenSignal === '' || notification.goldenSignal === filter.goldenSignal) &&
    matchesText(notification, filter.text)
  );
}
