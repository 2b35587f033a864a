import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { dedupeKeyOf, searchTextOf } from '../../notifications/store/notification-search-index.js';
import { SEARCH_SCHEMA, SCHEMA_VERSION } from './sqlite-notification-schema.js';

/** Rows read per statement while indexing a version 1 file. */
const CHUNK = 5_000;

/**
 * Brings a notification file of schema version 1 to version 2 before the
 * store opens it: the dedupe_key column and the search index, filled from
 * each stored payload (SQL cannot read protobuf), all in one transaction, so
 * a crash midway leaves version 1 to upgrade again. Any other file is left to
 * openVersionedSqlite (new: created; current: opened; other versions: refused).
 */
export function upgradeNotificationFile(path: string): void {
  if (path === ':memory:' || !existsSync(path)) return;
  const db = new Database(path);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== 1 || SCHEMA_VERSION !== 2) return;
    db.pragma('busy_timeout = 10000');
    db.transaction(() => {
      db.exec(`ALTER TABLE notifications ADD COLUMN dedupe_key TEXT; ${SEARCH_SCHEMA}`);
      const page = db.prepare('SELECT seq, payload FROM notifications WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
      const setKey = db.prepare('UPDATE notifications SET dedupe_key = ? WHERE seq = ?');
      const index = db.prepare('INSERT INTO notifications_text (rowid, words) VALUES (?, ?)');
      for (let after = 0; ;) {
        const rows = page.all(after, CHUNK) as [number, Buffer][];
        for (const [seq, payload] of rows) {
          const notification = alerting.Notification.decode(payload);
          const dedupeKey = dedupeKeyOf(notification);
          if (dedupeKey !== null) setKey.run(dedupeKey, seq);
          index.run(seq, searchTextOf(notification));
        }
        if (rows.length < CHUNK) break;
        after = rows[rows.length - 1][0];
      }
      db.pragma('user_version = 2');
    }).immediate();
  } finally {
    db.close();
  }
}
