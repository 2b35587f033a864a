import { parseGoldenSignalName, parseSeverityName, severityOf, goldenSignalOf } from '@app/notification';
import type { alerting } from '@app/proto';
import { InvalidArgumentError } from '@app/runtime';
import type { NotificationQuery } from './notification-store.js';

/** A query-string parameter as Express hands it over: absent, once, or repeated. */
export type QueryValue = string | string[] | undefined;

const all = (value: QueryValue): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '');

export function severitiesParam(name: string, value: QueryValue): alerting.OpniSeverity[] {
  return all(value).map((text) => {
    const severity = parseSeverityName(text);
    if (!severity)
      throw new InvalidArgumentError(name, `${JSON.stringify(text)} is not one of Info, Warning, Error, Critical`);
    return severityOf(severity);
  });
}

function goldenSignalsParam(name: string, value: QueryValue): alerting.GoldenSignal[] {
  return all(value).map((text) => {
    const signal = parseGoldenSignalName(text);
    if (!signal) {
      throw new InvalidArgumentError(
        name,
        `${JSON.stringify(text)} is not one of Custom, Errors, Saturation, Traffic, Latency`,
      );
    }
    return goldenSignalOf(signal);
  });
}

function timeParam(name: string, value: QueryValue): Date | undefined {
  const [text, ...more] = all(value);
  if (text === undefined) return undefined;
  const time = new Date(text);
  if (more.length > 0 || !/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError(name, 'must be one RFC 3339 time, e.g. 2026-11-29T07:00:00Z');
  }
  return time;
}

function singleParam(name: string, value: QueryValue): string | undefined {
  const values = all(value);
  if (values.length > 1) throw new InvalidArgumentError(name, 'may be given once');
  return values[0];
}

/** The listing filters of GET /api/v1/notifications; throws InvalidArgumentError naming the parameter. */
export function notificationQueryFromParams(params: Record<string, QueryValue>): NotificationQuery {
  const limitText = singleParam('limit', params.limit);
  if (limitText !== undefined && !/^\d{1,7}$/.test(limitText))
    throw new InvalidArgumentError('limit', 'must be an integer');
  return {
    clusterIds: all(params.cluster),
    severities: severitiesParam('severity', params.severity),
    goldenSignals: goldenSignalsParam('goldenSignal', params.goldenSignal),
    since: timeParam('since', params.since),
    until: timeParam('until', params.until),
    limit: limitText === undefined ? undefined : Number(limitText),
    cursor: singleParam('cursor', params.cursor),
  };
}
