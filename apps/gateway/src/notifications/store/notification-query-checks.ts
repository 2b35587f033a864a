import { InvalidArgumentError } from '@app/runtime';
import { decodeCursor, encodeCursor } from './notification-cursor.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type NotificationQuery } from './notification-store.js';

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

export { encodeCursor };
