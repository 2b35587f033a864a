import type { LoggerService } from '@nestjs/common';
import type postgres from 'postgres';
import {
  storedTaskBody,
  taskFromRowOrSkip,
  type StoredTaskBody,
  type StoredTaskRow,
  type TaskRecord,
  type TaskStore,
} from '@app/capability';
import type { core } from '@app/proto';

export interface PostgresTaskStoreOptions {
  /** Told about rows that cannot be read (they are skipped); Nest's Logger fits. */
  logger?: Pick<LoggerService, 'warn'>;
}

/**
 * Capability tasks in PostgreSQL, shared by every replica (table:
 * task-migrations.ts, applied by migrate() before this is used), each record
 * stored as SqliteTaskStore stores it (storedTaskBody).
 *
 * put() is one upsert: it takes the row's lock, so puts of one id from any
 * number of replicas are applied one after the other, whole (never a mix of
 * two records), and the last to commit wins — as with SQLite, which is what
 * the port promises. Each put adds one to the row's revision, the number a
 * compare-and-set put would check once the port carries it.
 *
 * The pool is the caller's: close() does not end it.
 */
export class PostgresTaskStore implements TaskStore {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly options: PostgresTaskStoreOptions = {},
  ) {}

  async get(id: string): Promise<TaskRecord | undefined> {
    const [row] = await this.sql<StoredTaskRow[]>`SELECT id, kind, state, body FROM capability_tasks WHERE id = ${id}`;
    return row && taskFromRowOrSkip(row, this.options.logger);
  }

  async put(record: TaskRecord): Promise<void> {
    const body = storedTaskBody(record) as StoredTaskBody & postgres.JSONValue;
    await this.sql`
      INSERT INTO capability_tasks AS stored (id, kind, state, body, revision, updated_at)
      VALUES (${record.id}, ${record.kind}, ${record.state}, ${this.sql.json(body)}, 1, now())
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, state = excluded.state, body = excluded.body,
        revision = stored.revision + 1, updated_at = excluded.updated_at`;
  }

  async list(kind: string, states?: readonly core.TaskState[]): Promise<TaskRecord[]> {
    // Ordered by id bytewise (COLLATE "C"), as SQLite orders text, whatever the database's collation.
    const rows = states
      ? await this.sql<StoredTaskRow[]>`
          SELECT id, kind, state, body FROM capability_tasks
          WHERE kind = ${kind} AND state = ANY(${[...states]}::integer[]) ORDER BY id COLLATE "C"`
      : await this.sql<StoredTaskRow[]>`
          SELECT id, kind, state, body FROM capability_tasks WHERE kind = ${kind} ORDER BY id COLLATE "C"`;
    return rows.map((row) => taskFromRowOrSkip(row, this.options.logger)).filter((record) => record !== undefined);
  }

  async close(): Promise<void> {
    // Nothing of its own to release: the pool is the caller's.
  }
}
