import { notificationWords } from '@app/admin-api';
import { NotificationProperty } from '@app/notification-model';
import type { alerting } from '@app/proto';

/** What a store indexes of a notification, beside its columns, for `q` and `dedupeKey`. */
export interface SearchIndexEntry {
  /** Its opni_dedupe_key property; null when it has none. */
  dedupeKey: string | null;
  /** Its distinct search words (notificationWords), separated by spaces. */
  words: string;
}

export function searchIndexOf(notification: alerting.Notification | undefined): SearchIndexEntry {
  return { dedupeKey: dedupeKeyOf(notification), words: notificationWords(notification ?? {}).join(' ') };
}

export function dedupeKeyOf(notification: alerting.Notification | undefined): string | null {
  return notification?.properties?.[NotificationProperty.dedupeKey] || null;
}

/**
 * The text `q` searches, as it is (title, body and property values, a line
 * each), for an index that splits it into words itself: SQLite's FTS5 with
 * the unicode61 tokenizer over the categories searchWords keeps (letters,
 * digits, marks), which also folds case. Splitting in JavaScript as well cost
 * the gateway about 20 µs per notification on ingest's path.
 */
export function searchTextOf(notification: alerting.Notification | undefined): string {
  if (!notification) return '';
  const { title = '', body = '', properties = {} } = notification;
  return [title, body, ...Object.values(properties)].join('\n');
}
