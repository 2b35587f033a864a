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
  const dedupeKey = notification?.properties?.[NotificationProperty.dedupeKey];
  return { dedupeKey: dedupeKey ? dedupeKey : null, words: notificationWords(notification ?? {}).join(' ') };
}
