import { matchesSearch, SEVERITIES, type GoldenSignal, type NotificationJson, type Severity } from '@app/admin-api';

export interface NotificationFilter {
  /** Empty: every cluster. */
  cluster: string;
  minSeverity: Severity;
  /** Empty: any golden signal. */
  goldenSignal: GoldenSignal | '';
  /** Searched by the gateway (`q`), and matched in the browser for what arrives live. */
  text: string;
}

export const NO_FILTER: NotificationFilter = { cluster: '', minSeverity: 'Info', goldenSignal: '', text: '' };

/** The severities at least as important as `min`: the list API takes the severities it wants, not a minimum. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}

/**
 * Whether the notification matches a text search as the gateway's `q` does
 * (every word starts a word of its title, body or a property value): for what
 * arrives live, which the stream does not search.
 */
export function matchesText(notification: NotificationJson, text: string): boolean {
  return matchesSearch(notification, text);
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
