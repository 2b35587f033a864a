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
/** Whitespace that `\s+` → " " would change: a run, or anything but a plain space. */
const COLLAPSIBLE = /\s\s|[^\S ]/;

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
  const raw = stored.notification?.title ?? '';
  // Most titles have no whitespace to collapse: the replace would copy them for nothing.
  const title = (COLLAPSIBLE.test(raw) ? raw.replace(/\s+/g, ' ') : raw).trim();
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

const DAY_MS = 86_400_000;
/** From here on toISOString writes six-digit years: left to it. */
const YEAR_10000_MS = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * Date#toISOString for ms since the epoch, the date part kept from the last
 * call: toISOString cost more than the rest of an alert's times. One per use
 * (startsAt, endsAt), so a lifetime across midnight does not make them evict each other.
 */
class IsoTimestamps {
  private dayStart = -1;
  private datePrefix = '';

  format(ms: number): string {
    if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return new Date(ms).toISOString();
    let rest = ms - this.dayStart;
    if (this.dayStart < 0 || rest < 0 || rest >= DAY_MS) {
      this.dayStart = ms - (ms % DAY_MS);
      this.datePrefix = new Date(this.dayStart).toISOString().slice(0, 'YYYY-MM-DDT'.length);
      rest = ms - this.dayStart;
    }
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    return `${this.datePrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
  }
}
const startsAtTimes = new IsoTimestamps();
const endsAtTimes = new IsoTimestamps();

/** The labels and annotations every alert has (but link, when there is no externalURL), in code-unit order. */
const MAPPING_LABELS = ['alertname', 'cluster', 'golden_signal', 'opni_uuid', 'severity'];
const MAPPING_ANNOTATIONS = ['description', 'link', 'summary'];
const NO_ANNOTATIONS: Record<string, string> = {};

/**
 * The mapping's entries (`mappingNames` in code-unit order, undefined ones
 * left out) and properties' (`propertyNames` of `properties`) as one record in
 * code-unit order of names, as Alertmanager lists them: built in that order
 * rather than sorted afterwards, since this runs for every alert a target sends.
 */
function inNameOrder(
  mappingNames: readonly string[],
  mapping: Record<string, string | undefined>,
  propertyNames: string[],
  properties: Record<string, string>,
): Record<string, string> {
  propertyNames.sort();
  const record: Record<string, string> = {};
  let next = 0;
  for (const name of mappingNames) {
    const value = mapping[name];
    if (value === undefined) continue;
    for (; next < propertyNames.length && propertyNames[next] < name; next++)
      record[propertyNames[next]] = properties[propertyNames[next]];
    record[name] = value;
  }
  for (; next < propertyNames.length; next++) record[propertyNames[next]] = properties[propertyNames[next]];
  return record;
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
  const properties = stored.notification?.properties ?? {};
  const labelProperties: string[] = [];
  // Annotation name → value: the first property of a name wins. The mapping's names are RESERVED, so
  // only earlier properties can have taken one.
  let propertyAnnotations = NO_ANNOTATIONS;
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    const kind = propertyKind(key);
    if (kind === undefined || value === '') continue;
    if (kind.label && value.length <= MAX_LABEL_VALUE_LENGTH) {
      labelProperties.push(key);
    } else if (kind.annotation !== undefined) {
      const name = kind.annotation;
      if (propertyAnnotations === NO_ANNOTATIONS) propertyAnnotations = {};
      if (!Object.hasOwn(propertyAnnotations, name) && !labelProperties.includes(name))
        propertyAnnotations[name] = value;
    }
  }
  const mappingLabels = {
    alertname: alertnameOf(stored),
    cluster: stored.clusterId,
    golden_signal: GOLDEN_SIGNAL_LABELS[stored.goldenSignal as number] ?? 'custom',
    opni_uuid: stored.id,
    severity: severityLabel(stored.severity),
  };
  const link = notificationLink(externalURL, stored);
  const mappingAnnotations = {
    description: stored.notification?.body ?? '',
    link: link === '' ? undefined : link,
    summary: stored.notification?.title ?? '',
  };
  const startsAt = stored.receivedAt?.getTime() ?? 0;
  return {
    labels: inNameOrder(MAPPING_LABELS, mappingLabels, labelProperties, properties),
    annotations: inNameOrder(
      MAPPING_ANNOTATIONS,
      mappingAnnotations,
      Object.keys(propertyAnnotations),
      propertyAnnotations,
    ),
    startsAt: startsAtTimes.format(startsAt),
    endsAt: endsAtTimes.format(startsAt + lifetimeMs),
    generatorURL: link,
  };
}
