import {
  parseGoldenSignalName,
  parseSeverityName,
  goldenSignalOf,
  severityOf,
  SEVERITY_NAMES,
  GOLDEN_SIGNAL_NAMES,
} from '@app/notification-model';
import { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type { FeedFilter } from '../live-feed/notification-feed.js';
import {
  MAX_LIST_LIMIT,
  NOTIFICATION_ORDERS,
  type NotificationCountQuery,
  type NotificationOrder,
  type NotificationQuery,
} from '../store/notification-store.js';

/** Query parameters as Express parses them ("simple" parser): a repeated name gives an array. */
export type QueryParams = Record<string, unknown>;

/** The list API's parameters (docs/api.md has a row for each). */
export const LIST_PARAMS = [
  'cluster',
  'severity',
  'goldenSignal',
  'since',
  'until',
  'q',
  'dedupeKey',
  'order',
  'limit',
  'cursor',
];
const STREAM_PARAMS = ['cluster', 'minSeverity'];
const COUNT_PARAMS = ['cluster', 'goldenSignal', 'since', 'until', 'q', 'dedupeKey'];
const BY_ID_PARAMS = ['cluster'];

/** GET /api/v1/notifications: the store query its parameters ask for; InvalidArgumentError names a bad one. */
export function listQueryFromParams(params: QueryParams): NotificationQuery {
  onlyKnown(params, LIST_PARAMS);
  const limit = single(params, 'limit');
  const cursor = single(params, 'cursor');
  const since = single(params, 'since');
  const until = single(params, 'until');
  const q = single(params, 'q');
  const dedupeKey = single(params, 'dedupeKey');
  const order = single(params, 'order');
  if (dedupeKey === '') throw new InvalidArgumentError('dedupeKey', 'must not be empty');
  if (limit !== undefined && !/^\d{1,7}$/.test(limit))
    throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return {
    clusterIds: clusters(params),
    severities: repeated(params, 'severity').map((text) =>
      severityOf(named('severity', text, parseSeverityName, SEVERITY_NAMES)),
    ),
    goldenSignals: repeated(params, 'goldenSignal').map((text) =>
      goldenSignalOf(named('goldenSignal', text, parseGoldenSignalName, GOLDEN_SIGNAL_NAMES)),
    ),
    since: since === undefined ? undefined : rfc3339('since', since),
    until: until === undefined ? undefined : rfc3339('until', until),
    // Words are checked by the store (searchTerms); blank is no search, as an empty cursor is the first page.
    text: q === undefined || q.trim() === '' ? undefined : q,
    dedupeKey,
    order: order === undefined ? undefined : orderNamed(order),
    limit: limit === undefined ? undefined : Number(limit),
    // Empty is the first page, as in gRPC (clients often send `cursor=` then).
    cursor: cursor === '' ? undefined : cursor,
  };
}

/** GET /api/v1/notifications/counts: the list's filters but severity (counted) and the page. */
export function countQueryFromParams(params: QueryParams): NotificationCountQuery {
  onlyKnown(params, COUNT_PARAMS);
  const { clusterIds, goldenSignals, since, until, text, dedupeKey } = listQueryFromParams(params);
  return { clusterIds, goldenSignals, since, until, text, dedupeKey };
}

/** GET /api/v1/notifications/:id: the cluster it is asked in, if any. */
export function byIdClusterFromParams(params: QueryParams): string | undefined {
  onlyKnown(params, BY_ID_PARAMS);
  const ids = clusters(params);
  if (ids.length > 1) throw new InvalidArgumentError('cluster', 'must be given at most once');
  return ids[0];
}

function orderNamed(text: string): NotificationOrder {
  const order = NOTIFICATION_ORDERS.find((name) => name === text.toLowerCase());
  if (order === undefined)
    throw new InvalidArgumentError('order', `${JSON.stringify(text)} is not one of ${NOTIFICATION_ORDERS.join(', ')}`);
  return order;
}

/** GET /api/v1/notifications/stream: the live filter its parameters ask for. */
export function feedFilterFromParams(params: QueryParams): FeedFilter {
  onlyKnown(params, STREAM_PARAMS);
  const minSeverity = single(params, 'minSeverity');
  return {
    clusterIds: clusters(params),
    minSeverity:
      minSeverity === undefined
        ? alerting.OpniSeverity.Info
        : severityOf(named('minSeverity', minSeverity, parseSeverityName, SEVERITY_NAMES)),
  };
}

/** The seq after which an SSE client asks to resume (its Last-Event-ID header), if it sent one. */
export function resumeAfter(lastEventId: string | undefined): bigint | undefined {
  if (lastEventId === undefined || lastEventId === '') return undefined;
  if (!/^\d{1,19}$/.test(lastEventId) || BigInt(lastEventId) > 2n ** 63n - 1n)
    throw new InvalidArgumentError(
      'Last-Event-ID',
      'must be the id of an event of this stream (a seq: decimal digits)',
    );
  return BigInt(lastEventId);
}

function onlyKnown(params: QueryParams, known: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!known.includes(name))
      throw new InvalidArgumentError(name, `is not a parameter of this endpoint (known: ${known.join(', ')})`);
  }
}

function repeated(params: QueryParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v): v is string => typeof v === 'string'))
    throw new InvalidArgumentError(name, 'must be plain text (repeat the parameter for several values)');
  return values;
}

function single(params: QueryParams, name: string): string | undefined {
  const values = repeated(params, name);
  if (values.length > 1) throw new InvalidArgumentError(name, 'must be given at most once');
  return values[0];
}

function clusters(params: QueryParams): string[] {
  const ids = repeated(params, 'cluster');
  if (ids.some((id) => id === '')) throw new InvalidArgumentError('cluster', 'must not be empty');
  // No cluster id holds one, and PostgreSQL text cannot: refused here rather than failing in the database.
  if (ids.some((id) => id.includes('\0')))
    throw new InvalidArgumentError('cluster', 'must not contain a NUL character');
  return ids;
}

function named<N extends string>(
  name: string,
  text: string,
  parse: (text: string) => N | undefined,
  names: readonly N[],
): N {
  const parsed = parse(text);
  if (parsed === undefined)
    throw new InvalidArgumentError(name, `${JSON.stringify(text)} is not one of ${names.join(', ')} (any case)`);
  return parsed;
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time with its offset (e.g. 2030-01-31T12:00:00Z, 2030-01-31T13:00:00.5+01:00). */
export function rfc3339(name: string, text: string): Date {
  const match = RFC_3339.exec(text);
  const [year, month, day, hour, minute, second] = (match?.slice(1, 7) ?? []).map(Number);
  const offsetHours = Number(match?.[9] ?? 0);
  const offsetMinutes = Number(match?.[10] ?? 0);
  const valid =
    match !== null &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= utc(year, month, 0).getUTCDate() && // day 0 of the next month: the last of this one
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid)
    throw new InvalidArgumentError(name, `${JSON.stringify(text)} is not an RFC 3339 time (e.g. 2030-01-31T12:00:00Z)`);
  const millis = Number(`${(match[7] ?? '').slice(1)}000`.slice(0, 3)); // digits past the millisecond are dropped
  const sign = match[8] ?? '+';
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(utc(year, month - 1, day, hour, minute, second, millis).getTime() - offsetMs);
}

/** Date.UTC, except that years 0-99 stay years 0-99 (Date.UTC reads them as 1900-1999). */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, millis);
  return date;
}
