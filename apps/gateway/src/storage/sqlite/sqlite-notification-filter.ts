import type Database from 'better-sqlite3';
import { InvalidArgumentError } from '@app/runtime';
import type { CursorPosition } from '../../notifications/store/notification-cursor.js';
import { dedupeKeyFilter, searchTerms } from '../../notifications/store/notification-query-checks.js';
import type { NotificationCountQuery, NotificationQuery } from '../../notifications/store/notification-store.js';

/** A WHERE clause and its parameters, in order. */
export interface SqlFilter {
  where: string;
  parameters: unknown[];
}

/** What a listing or a count filters by. */
export type FilterQuery = NotificationCountQuery & Pick<NotificationQuery, 'severities'>;

/**
 * The WHERE clause of a query's filters, starting after `start` (a page's
 * cursor); undefined when nothing can match (since is after the newest).
 * `firstSeqReceivedFrom`: the first seq received at or after an instant.
 */
export function sqliteFilter(
  query: FilterQuery,
  start: CursorPosition | undefined,
  firstSeqReceivedFrom: Database.Statement<[number], number>,
): SqlFilter | undefined {
  const since = instant('since', query.since);
  const until = instant('until', query.until);
  if (since !== undefined && until !== undefined && until <= since)
    throw new InvalidArgumentError('until', 'must be later than since');
  const words = searchTerms(query);
  const dedupeKey = dedupeKeyFilter(query);

  // received_at never decreases along seq (see store()), so a time range is a seq range: two
  // index seeks, then every filter walks its (column, seq) index; no sort of the whole range.
  const low = since === undefined ? undefined : firstSeqReceivedFrom.get(since);
  const high = until === undefined ? undefined : firstSeqReceivedFrom.get(until);
  if (since !== undefined && low === undefined) return undefined;

  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const condition = (sql: string, ...values: unknown[]) => {
    if (values.some((value) => value === undefined)) return;
    conditions.push(sql);
    parameters.push(...values);
  };
  const among = (column: string, values: readonly unknown[] | undefined) => {
    // One parameter however many values: a JSON array, read by json_each.
    if (values?.length)
      condition(`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify([...new Set(values)]));
  };
  among('cluster_id', query.clusterIds);
  among('severity', query.severities);
  among('golden_signal', query.goldenSignals);
  condition('dedupe_key = ?', dedupeKey);
  // Each word a quoted prefix query: FTS5 syntax in what was typed is only ever text.
  if (words)
    condition(
      'seq IN (SELECT rowid FROM notifications_text WHERE notifications_text MATCH ?)',
      words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' AND '),
    );
  condition('seq >= ?', low);
  condition('seq < ?', high);
  if (start?.severity !== undefined) condition('(severity, seq) < (?, ?)', start.severity, start.seq);
  else condition('seq < ?', start?.seq);
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
}

function instant(field: string, date: Date | undefined): number | undefined {
  if (date === undefined) return undefined;
  const time = date.getTime();
  if (Number.isNaN(time)) throw new InvalidArgumentError(field, 'is not a valid time');
  return time;
}
