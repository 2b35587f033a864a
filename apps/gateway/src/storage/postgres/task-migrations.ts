import type { Migration } from './schema-migrations.js';

/**
 * The capability task table (see postgres-task-store.ts), laid out like
 * SqliteTaskStore's tasks.db with a revision per row.
 */
export const TASK_MIGRATIONS: readonly Migration[] = [
  {
    version: 5,
    name: 'capability tasks',
    up: `
      CREATE TABLE capability_tasks (
        id         text PRIMARY KEY,
        kind       text NOT NULL,
        state      integer NOT NULL,     -- core.TaskState
        body       jsonb NOT NULL,       -- the rest of the record (StoredTaskBody), instants as ms since the epoch
        revision   bigint NOT NULL,      -- 1 on the first put, +1 on each later one
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX capability_tasks_by_kind_state ON capability_tasks (kind, state, id);
    `,
  },
];
