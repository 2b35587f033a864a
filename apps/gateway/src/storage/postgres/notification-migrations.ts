import type { Migration } from './schema-migrations.js';

/**
 * The notification store's tables (see postgres-notification-store.ts). The
 * layout follows the SQLite store's: the same columns, keys and indexes, with
 * seq taken from notification_feed instead of AUTOINCREMENT.
 */
export const NOTIFICATION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications and the feed counter',
    up: `
      CREATE TABLE notifications (
        seq           bigint PRIMARY KEY,     -- from notification_feed, allocated in commit order
        cluster_id    text NOT NULL,
        id            text NOT NULL,
        severity      smallint NOT NULL,
        golden_signal smallint NOT NULL,
        received_at   timestamptz NOT NULL,   -- never decreases along seq
        payload       bytea NOT NULL,         -- alerting.Notification, protobuf
        UNIQUE (cluster_id, id)               -- ingest's deduplication key
      );
      CREATE INDEX notifications_by_cluster ON notifications (cluster_id, seq);
      CREATE INDEX notifications_by_severity ON notifications (severity, seq);
      CREATE INDEX notifications_by_golden_signal ON notifications (golden_signal, seq);
      CREATE INDEX notifications_by_received_at ON notifications (received_at);

      -- One row: the last seq handed out (never reused after pruning, so receivers' cursors stay
      -- valid) and the last received_at stamped. Its row lock orders every store's commit.
      CREATE TABLE notification_feed (
        only_row         boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        last_seq         bigint NOT NULL,
        last_received_at timestamptz NOT NULL
      );
      INSERT INTO notification_feed (last_seq, last_received_at) VALUES (0, 'epoch');
    `,
  },
];
