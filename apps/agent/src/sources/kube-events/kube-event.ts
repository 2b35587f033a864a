/**
 * A Kubernetes event as this source reads it, from either API: events.k8s.io/v1
 * (`regarding`, `note`, `series`, `reportingController`) or core/v1
 * (`involvedObject`, `message`, `count`, `source`).
 */
export interface KubeEvent {
  uid: string;
  name: string;
  namespace: string;
  resourceVersion: string;
  reason: string;
  /** `Normal` or `Warning` (anything else is reported as unknownType and treated as Warning). */
  type: string;
  unknownType: boolean;
  note: string;
  regarding: { kind: string; namespace: string; name: string; uid: string; fieldPath: string };
  reportingController: string;
  reportingInstance: string;
  /** How many times the event occurred (series count, deprecated count, else 1). */
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  /** When it last happened, ms since the epoch (for the lag metric); undefined when no timestamp parses. */
  happenedAt: number | undefined;
}

export type EventApi = 'events.k8s.io/v1' | 'v1';

/** Why an event object was refused; the label of agent_kube_events_invalid_total. */
export type InvalidReason = 'malformed' | 'missing-involved-object';

export class InvalidEvent extends Error {
  constructor(
    readonly reason: InvalidReason,
    message: string,
  ) {
    super(message);
  }
}

const UID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

function time(...values: unknown[]): string {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return '';
}

/** Reads one event object; throws InvalidEvent naming what is wrong. */
export function decodeEvent(object: unknown, api: EventApi): KubeEvent {
  if (!isObject(object)) throw new InvalidEvent('malformed', 'the event is not a JSON object');
  const metadata = object.metadata;
  if (!isObject(metadata)) throw new InvalidEvent('malformed', 'metadata is missing');
  const uid = text(metadata.uid);
  if (!UID.test(uid)) throw new InvalidEvent('malformed', `metadata.uid ${JSON.stringify(metadata.uid)} is not a uid`);
  const reason = text(object.reason);
  if (reason === '') throw new InvalidEvent('malformed', `event ${uid}: reason is missing`);
  const v1 = api === 'events.k8s.io/v1';
  const ref = v1 ? object.regarding : object.involvedObject;
  const field = v1 ? 'regarding' : 'involvedObject';
  if (!isObject(ref) || (text(ref.name) === '' && text(ref.uid) === ''))
    throw new InvalidEvent('missing-involved-object', `event ${uid}: ${field} is missing`);
  const series = isObject(object.series) ? object.series : undefined;
  const count = positive(series?.count) ?? positive(v1 ? object.deprecatedCount : object.count) ?? 1;
  const source = isObject(v1 ? object.deprecatedSource : object.source)
    ? ((v1 ? object.deprecatedSource : object.source) as Json)
    : {};
  const type = text(object.type) || 'Normal';
  const firstTimestamp = time(
    v1 ? object.deprecatedFirstTimestamp : object.firstTimestamp,
    object.eventTime,
    metadata.creationTimestamp,
  );
  const lastTimestamp = time(
    series?.lastObservedTime,
    v1 ? object.deprecatedLastTimestamp : object.lastTimestamp,
    object.eventTime,
    metadata.creationTimestamp,
  );
  const happenedAt = Date.parse(lastTimestamp);
  return {
    uid,
    name: text(metadata.name),
    namespace: text(metadata.namespace),
    resourceVersion: text(metadata.resourceVersion),
    reason,
    type,
    unknownType: type !== 'Normal' && type !== 'Warning',
    note: text(v1 ? object.note : object.message),
    regarding: {
      kind: text(ref.kind) || 'Object',
      namespace: text(ref.namespace),
      name: text(ref.name),
      uid: text(ref.uid),
      fieldPath: text(ref.fieldPath),
    },
    reportingController: text(v1 ? object.reportingController : object.reportingComponent) || text(source.component),
    reportingInstance: text(object.reportingInstance) || text(source.host),
    count,
    firstTimestamp,
    lastTimestamp,
    happenedAt: Number.isNaN(happenedAt) ? undefined : happenedAt,
  };
}
