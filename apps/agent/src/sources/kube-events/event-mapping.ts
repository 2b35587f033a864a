import { NotificationProperty, type NotificationLimits, type SeverityName } from '@app/notification-model';
import type { alerting } from '@app/proto';
import { firstMatch, type EventRule } from './event-rules.js';
import type { KubeEvent } from './kube-event.js';

/** Ids of notifications made from events start with this (the queue remembers resolved ones, see rememberResolved). */
export const EVENT_ID_PREFIX = 'k8s/';

/** Golden signals where the reason makes it obvious; rules may say otherwise. */
const SIGNAL_BY_REASON: Record<string, string> = {
  OOMKilled: 'Saturation',
  OOMKilling: 'Saturation',
  SystemOOM: 'Saturation',
  Evicted: 'Saturation',
  FailedScheduling: 'Saturation',
  EvictionThresholdMet: 'Saturation',
  BackOff: 'Errors',
  CrashLoopBackOff: 'Errors',
  Failed: 'Errors',
  FailedMount: 'Errors',
  FailedCreate: 'Errors',
  Unhealthy: 'Errors',
  NodeNotReady: 'Errors',
};

export type Mapped =
  | { dropped: false; request: alerting.AgentNotification; rule?: string; truncated: boolean }
  | { dropped: true; rule: string };

const TRUNCATED = ' …(truncated)';

/** `value` cut to at most `maxBytes` UTF-8 bytes (on a character boundary), marked when cut. */
function fit(value: string, maxBytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return { text: value, cut: false };
  const room = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATED, 'utf8'));
  let text = Buffer.from(value, 'utf8').subarray(0, room).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD, which may take more bytes than it replaced.
  while (Buffer.byteLength(text, 'utf8') > room || text.endsWith('\uFFFD')) text = text.slice(0, -1);
  return { text: text + TRUNCATED, cut: true };
}

/** What the event is about, as people write it: `pod payments/api-7f9c`, `node worker-3`. */
export function subject(event: KubeEvent): string {
  const { kind, namespace, name, uid } = event.regarding;
  return `${kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name || uid}`;
}

/**
 * The notification for an event, or the rule that drops it. The id comes from
 * the event's uid and count (seen again after a relist or a restart, it is the
 * same id); the dedupe key from the involved object and the reason, so
 * repeats of one problem coalesce in the queue.
 */
export function mapEvent(event: KubeEvent, rules: readonly EventRule[], limits: NotificationLimits): Mapped {
  const rule = firstMatch(rules, event);
  if (rule?.drop) return { dropped: true, rule: rule.name };
  const severity: SeverityName = rule?.severity ?? (event.type === 'Normal' ? 'Info' : 'Warning');
  const goldenSignal = rule?.goldenSignal ?? SIGNAL_BY_REASON[event.reason] ?? 'Custom';
  const about = event.regarding;
  const title = fit(`${event.reason}: ${subject(event)}`, limits.maxTitleBytes);
  const body = fit(event.note.trim() === '' ? `${event.reason} (no message)` : event.note, limits.maxBodyBytes);
  const properties: Record<string, string> = {
    [NotificationProperty.severity]: severity,
    [NotificationProperty.goldenSignal]: goldenSignal,
    [NotificationProperty.dedupeKey]: `k8s/${about.uid || `${about.kind}/${about.namespace}/${about.name}`}/${event.reason}`,
    k8s_namespace: about.namespace || event.namespace,
    k8s_kind: about.kind,
    k8s_name: about.name,
    k8s_uid: about.uid,
    k8s_reason: event.reason,
    k8s_type: event.type,
    k8s_reporting_controller: event.reportingController,
    k8s_reporting_instance: event.reportingInstance,
    k8s_count: String(event.count),
    k8s_first_timestamp: event.firstTimestamp,
    k8s_last_timestamp: event.lastTimestamp,
    k8s_event_uid: event.uid,
    k8s_event_name: event.name,
  };
  if (about.fieldPath) properties.k8s_field_path = about.fieldPath;
  let cut = title.cut || body.cut;
  for (const [key, value] of Object.entries(properties)) {
    if (value === '') {
      delete properties[key];
      continue;
    }
    const fitted = fit(value, limits.maxPropertyValueBytes);
    properties[key] = fitted.text;
    cut ||= fitted.cut;
  }
  return {
    dropped: false,
    rule: rule?.name,
    truncated: cut,
    request: {
      id: `${EVENT_ID_PREFIX}${event.uid}/${event.count}`,
      message: { title: title.text, body: body.text, properties },
    },
  };
}
