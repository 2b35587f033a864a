import { randomBytes, randomUUID } from 'node:crypto';

/** The object an event is about (events.k8s.io/v1 `regarding`, core/v1 `involvedObject`). */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  fieldPath?: string;
}

/** An events.k8s.io/v1 Event as the API server serves it (the fields this system reads, and a few more). */
export interface EventsV1Event {
  kind?: 'Event';
  apiVersion?: 'events.k8s.io/v1';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
  };
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** What a test says about an event it creates; the fake server fills in the rest. */
export interface EventSpec {
  namespace?: string;
  reason: string;
  type?: 'Normal' | 'Warning' | string;
  note?: string;
  regarding?: ObjectReference | null;
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  /** The event's own time; now when omitted. */
  eventTime?: Date;
}

/** MicroTime as the API server writes it: RFC 3339 with microseconds, UTC. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** metav1.Time: RFC 3339 to the second. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A new event object from a spec, with its name, uid and resourceVersion. */
export function newEvent(spec: EventSpec, resourceVersion: number, now = new Date()): EventsV1Event {
  const namespace = spec.namespace ?? spec.regarding?.namespace ?? 'default';
  const regarding =
    spec.regarding === null
      ? undefined
      : { apiVersion: 'v1', kind: 'Pod', namespace, name: 'app', uid: randomUUID(), ...spec.regarding };
  const when = spec.eventTime ?? now;
  return {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: {
      // The real naming: <object name>.<16 hex digits of time>.
      name: `${regarding?.name ?? 'unknown'}.${randomBytes(8).toString('hex')}`,
      namespace,
      uid: randomUUID(),
      resourceVersion: String(resourceVersion),
      creationTimestamp: kubeTime(now),
    },
    eventTime: microTime(when),
    reportingController: spec.reportingController ?? 'kubelet',
    reportingInstance: spec.reportingInstance ?? 'node-1',
    action: spec.action ?? spec.reason,
    reason: spec.reason,
    regarding,
    note: spec.note ?? '',
    type: spec.type ?? 'Normal',
    deprecatedSource: { component: spec.reportingController ?? 'kubelet', host: spec.reportingInstance ?? 'node-1' },
    deprecatedFirstTimestamp: null,
    deprecatedLastTimestamp: null,
    deprecatedCount: 0,
  };
}

/** The same event as core/v1 serves it (for a cluster without events.k8s.io/v1). */
export function toCoreV1(event: EventsV1Event): Record<string, unknown> {
  const count = event.series?.count ?? (event.deprecatedCount || 1);
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: event.metadata,
    involvedObject: event.regarding,
    reason: event.reason,
    message: event.note,
    source: event.deprecatedSource ?? {},
    firstTimestamp: event.deprecatedFirstTimestamp ?? event.metadata.creationTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp ?? event.series?.lastObservedTime ?? event.metadata.creationTimestamp,
    count,
    type: event.type,
    eventTime: event.eventTime,
    series: event.series,
    action: event.action,
    reportingComponent: event.reportingController ?? '',
    reportingInstance: event.reportingInstance ?? '',
  };
}
