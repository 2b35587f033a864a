import { MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, searchWords } from '@app/admin-api';
import { InvalidArgumentError } from '@app/runtime';
import {
  decodeCursor,
  decodePosition,
  encodeCursor,
  encodeSeverityCursor,
  type CursorPosition,
} from './notification-cursor.js';
import {
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  NOTIFICATION_ORDERS,
  type NotificationOrder,
  type NotificationQuery,
} from './notification-store.js';

/** The checks every notification store makes of a query, so each adapter refuses the same queries the same way. */

/** The page size asked for, or InvalidArgumentError('limit'). */
export function pageLimit(query: Pick<NotificationQuery, 'limit'>): number {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return limit;
}

/** The seq a cursor points at; InvalidArgumentError('cursor') unless encodeCursor made it. */
export const cursorSeq = decodeCursor;

/** since and until, checked: valid dates, until later than since. */
export function timeRange(query: Pick<NotificationQuery, 'since' | 'until'>): { since?: Date; until?: Date } {
  const valid = (field: string, date: Date | undefined) => {
    if (date !== undefined && Number.isNaN(date.getTime()))
      throw new InvalidArgumentError(field, 'is not a valid time');
    return date;
  };
  const since = valid('since', query.since);
  const until = valid('until', query.until);
  if (since && until && until <= since) throw new InvalidArgumentError('until', 'must be later than since');
  return { since, until };
}

/** readAfter's limit, or InvalidArgumentError('limit'). */
export function readLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError('limit', 'must be a positive integer');
  return limit;
}

/** The order asked for (newest by default), or InvalidArgumentError('order'). */
export function listOrder(query: Pick<NotificationQuery, 'order'>): NotificationOrder {
  const order = query.order ?? 'newest';
  if (!NOTIFICATION_ORDERS.includes(order))
    throw new InvalidArgumentError('order', `${JSON.stringify(order)} is not one of ${NOTIFICATION_ORDERS.join(', ')}`);
  return order;
}

/** Where the page asked for starts (undefined: the first page), or InvalidArgumentError('cursor'). */
export function pageStart(query: Pick<NotificationQuery, 'cursor' | 'order'>): CursorPosition | undefined {
  return query.cursor === undefined ? undefined : decodePosition(query.cursor, listOrder(query));
}

/** The cursor of the page after one ending with `last`, in the listing's order. */
export function nextCursorAfter(order: NotificationOrder, last: { seq: bigint; severity: number }): string {
  return order === 'severity' ? encodeSeverityCursor(last.severity, last.seq) : encodeCursor(last.seq);
}

/**
 * The words of a text search (undefined: none asked for, or blank), or
 * InvalidArgumentError('q'): longer than MAX_SEARCH_LENGTH, more than
 * MAX_SEARCH_WORDS words, or no word at all (punctuation alone is not searched).
 */
export function searchTerms(query: Pick<NotificationQuery, 'text'>): string[] | undefined {
  const text = query.text;
  if (text === undefined || text.trim() === '') return undefined;
  if (text.length > MAX_SEARCH_LENGTH)
    throw new InvalidArgumentError('q', `is ${text.length} characters; at most ${MAX_SEARCH_LENGTH} are allowed`);
  const words = [...new Set(searchWords(text))];
  if (words.length === 0)
    throw new InvalidArgumentError('q', 'has no word to search for (letters or digits); punctuation is not searched');
  if (words.length > MAX_SEARCH_WORDS)
    throw new InvalidArgumentError('q', `has ${words.length} words; at most ${MAX_SEARCH_WORDS} are allowed`);
  return words;
}

/** No stored key holds a NUL (PostgreSQL text cannot): refused rather than sent to the database. */
const NO_NUL = 'must not contain a NUL character';

/** Longest dedupeKey filter: the longest property value a gateway may be configured to take (64 KiB). */
export const MAX_DEDUPE_KEY_LENGTH = 64 * 1024;

/** The dedupe key asked for, or InvalidArgumentError('dedupeKey') for an empty or overlong one. */
export function dedupeKeyFilter(query: Pick<NotificationQuery, 'dedupeKey'>): string | undefined {
  const key = query.dedupeKey;
  if (key === undefined) return undefined;
  if (key === '') throw new InvalidArgumentError('dedupeKey', 'must not be empty');
  if (key.includes('\0')) throw new InvalidArgumentError('dedupeKey', NO_NUL);
  if (key.length > MAX_DEDUPE_KEY_LENGTH)
    throw new InvalidArgumentError('dedupeKey', `is longer than ${MAX_DEDUPE_KEY_LENGTH} characters`);
  return key;
}

/** withId's arguments, checked: InvalidArgumentError('id') or ('cluster') for an empty one. */
export function idLookup(id: string, clusterId: string | undefined): void {
  if (id === '') throw new InvalidArgumentError('id', 'must not be empty');
  if (id.includes('\0')) throw new InvalidArgumentError('id', NO_NUL);
  if (clusterId === '') throw new InvalidArgumentError('cluster', 'must not be empty');
  if (clusterId?.includes('\0')) throw new InvalidArgumentError('cluster', NO_NUL);
}

export { encodeCursor };
