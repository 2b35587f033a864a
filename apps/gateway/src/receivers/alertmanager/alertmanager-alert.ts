import { GOLDEN_SIGNAL_NAMES, NotificationProperty, severityName } from '@app/notification-model';
import type { alerting } from '@app/proto';

/** One element of Alertmanager's `POST /api/v2/alerts` body (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Alertmanager's (Prometheus') label and annotation name rule. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Longer property values go to annotations: labels are for routing and grouping, and stay small. */
export const MAX_LABEL_VALUE_LENGTH = 128;
/** A derived alertname is at most this long. */
const MAX_ALERTNAME_LENGTH = 64;

/** Properties that become labels under names of their own (or are internal), not copied as they are. */
const MAPPED_PROPERTIES = new Set<string>([
  NotificationProperty.uuid,
  NotificationProperty.severity,
  NotificationProperty.goldenSignal,
  NotificationProperty.clusterId,
  NotificationProperty.groupKey,
]);

/** Names our mapping owns: a property of the same name never overrides them. */
const RESERVED = new Set([
  'alertname',
  'cluster',
  'severity',
  'golden_signal',
  'opni_uuid',
  'summary',
  'description',
  'link',
]);

/**
 * A stable alertname for a notification without opni_group_key: the part of
 * the title before the first ":" (Kubernetes events read "Reason: message"),
 * else the title itself, whitespace collapsed and cut to 64 characters.
 */
export function alertnameOf(stored: alerting.StoredNotification): string {
  const properties = stored.notification?.properties ?? {};
  const groupKey = properties[NotificationProperty.groupKey];
  if (groupKey) return groupKey;
  const title = (stored.notification?.title ?? '').replace(/\s+/g, ' ').trim();
  const colon = title.indexOf(':');
  const name = (colon > 0 ? title.slice(0, colon).trim() : title).slice(0, MAX_ALERTNAME_LENGTH);
  return name === '' ? 'DownstreamNotification' : name;
}

/** A property name as an annotation name: invalid characters become "_" (as Prometheus' relabelling does). */
function annotationName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** What a property key may become: a label (when its value is short), else an annotation of that name; undefined: neither. */
interface PropertyKind {
  label: boolean;
  annotation?: string;
}
/** Property keys repeat from one notification to the next: classified once (bounded, so odd keys cannot grow it). */
const PROPERTY_KINDS = new Map<string, PropertyKind | undefined>();
const MAX_PROPERTY_KINDS = 4_096;

function propertyKind(key: string): PropertyKind | undefined {
  if (PROPERTY_KINDS.has(key)) return PROPERTY_KINDS.get(key);
  let kind: PropertyKind | undefined;
  // `__` names are Prometheus' own.
  if (!MAPPED_PROPERTIES.has(key) && !RESERVED.has(key) && !key.startsWith('__')) {
    const name = annotationName(key);
    kind = { label: LABEL_NAME.test(key), annotation: RESERVED.has(name) ? undefined : name };
  }
  if (PROPERTY_KINDS.size < MAX_PROPERTY_KINDS) PROPERTY_KINDS.set(key, kind);
  return kind;
}

/** The same record, keys in code-unit order (the default sort's: cheaper than a comparator, on the hot path). */
function sorted(record: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) result[key] = record[key];
  return result;
}

/** `severity` label values by OpniSeverity: lower-cased once, not per alert. */
const SEVERITY_LABELS = new Map<number, string>();
function severityLabel(severity: alerting.OpniSeverity): string {
  let label = SEVERITY_LABELS.get(severity);
  if (label === undefined) SEVERITY_LABELS.set(severity, (label = severityName(severity).toLowerCase()));
  return label;
}
const GOLDEN_SIGNAL_LABELS = GOLDEN_SIGNAL_NAMES.map((name) => name.toLowerCase());

/** Where a notification can be read at the gateway: its cluster, at its received instant. */
export function notificationLink(externalURL: string, stored: alerting.StoredNotification): string {
  const base = externalURL.replace(/\/+$/, '');
  if (base === '') return '';
  const at = stored.receivedAt ?? new Date(0);
  const query = new URLSearchParams({
    cluster: stored.clusterId,
    since: at.toISOString(),
    until: new Date(at.getTime() + 1).toISOString(),
  });
  return `${base}/api/v1/notifications?${query.toString()}`;
}

/**
 * The Alertmanager alert of a stored notification (see the mapping table of
 * docs/receivers.md). Notifications are events, not conditions: endsAt is received time
 * plus `lifetimeMs`, so they resolve by themselves.
 */
export function postableAlertOf(
  stored: alerting.StoredNotification,
  { externalURL, lifetimeMs }: { externalURL: string; lifetimeMs: number },
): PostableAlert {
  const labels: Record<string, string> = {
    alertname: alertnameOf(stored),
    cluster: stored.clusterId,
    severity: severityLabel(stored.severity),
    golden_signal: GOLDEN_SIGNAL_LABELS[stored.goldenSignal as number] ?? 'custom',
    opni_uuid: stored.id,
  };
  const link = notificationLink(externalURL, stored);
  const annotations: Record<string, string> = {
    summary: stored.notification?.title ?? '',
    description: stored.notification?.body ?? '',
  };
  if (link !== '') annotations.link = link;
  const properties = stored.notification?.properties ?? {};
  for (const key in properties) {
    const value = properties[key];
    const kind = propertyKind(key);
    if (kind === undefined || value === '') continue;
    if (kind.label && value.length <= MAX_LABEL_VALUE_LENGTH) {
      labels[key] = value;
    } else if (kind.annotation !== undefined) {
      const name = kind.annotation;
      if (!Object.hasOwn(annotations, name) && !Object.hasOwn(labels, name)) annotations[name] = value;
    }
  }
  const startsAt = stored.receivedAt ?? new Date(0);
  return {
    labels: sorted(labels),
    annotations: sorted(annotations),
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + lifetimeMs).toISOString(),
    generatorURL: link,
  };
}
