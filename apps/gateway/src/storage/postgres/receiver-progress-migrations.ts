import type { Migration } from './schema-migrations.js';

/**
 * The receiver delivery progress tables (see postgres-receiver-progress-store.ts),
 * laid out like the SQLite store's receivers.db.
 */
export const RECEIVER_PROGRESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 4,
    name: 'receiver delivery progress and failed deliveries',
    up: `
      CREATE TABLE receiver_progress (
        receiver        text PRIMARY KEY,
        cursor          bigint NOT NULL,      -- notification-store seq the receiver is done with; never moves back
        delivered       bigint NOT NULL,
        dead_lettered   bigint NOT NULL,
        last_success_at timestamptz,
        updated_at      timestamptz NOT NULL
      );
      CREATE TABLE receiver_dead_letter (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order
        receiver      text NOT NULL,
        from_seq      bigint NOT NULL,
        to_seq        bigint NOT NULL,
        notifications jsonb NOT NULL,       -- [{clusterId, id}]
        status        integer,
        error         text NOT NULL,
        at            timestamptz NOT NULL
      );
      CREATE INDEX receiver_dead_letter_by_receiver ON receiver_dead_letter (receiver, id);
    `,
  },
];
