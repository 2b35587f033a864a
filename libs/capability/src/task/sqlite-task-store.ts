import type Database from 'better-sqlite3';
import type { LoggerService } from '@nestjs/common';
import type { core } from '@app/proto';
import { openVersionedSqlite } from '@app/runtime';
import { storedTaskBody, taskFromRowOrSkip } from './stored-task-body.js';
import type { TaskRecord } from './task.js';
import type { TaskStore } from './task-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const TASKS_SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS tasks (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    state INTEGER NOT NULL,  -- core.TaskState
    body  TEXT NOT NULL      -- JSON of the rest of the record (StoredTaskBody), instants as ms since the epoch
  );
  CREATE INDEX IF NOT EXISTS tasks_by_kind_state ON tasks (kind, state);
`;

interface TaskRow {
  id: string;
  kind: string;
  state: number;
  body: string;
}

export interface SqliteTaskStoreOptions {
  /** Told about rows that cannot be read (they are skipped); Nest's Logger fits. */
  logger?: Pick<LoggerService, 'warn'>;
}

/**
 * Tasks in one small SQLite file (WAL, fsync on every put: a task writes a
 * handful of times per step, and a recorded transition must survive a crash).
 */
export class SqliteTaskStore implements TaskStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(
    path: string,
    private readonly options: SqliteTaskStoreOptions = {},
  ) {
    this.db = openVersionedSqlite(path, {
      kind: 'tasks',
      reader: 'this process',
      version: TASKS_SCHEMA_VERSION,
      table: 'tasks',
      schema: SCHEMA,
      synchronous: 'FULL',
      remedy: 'start the version that wrote it, or move the file aside',
    });
    this.statements = {
      get: this.db.prepare<[string], TaskRow>('SELECT id, kind, state, body FROM tasks WHERE id = ?'),
      put: this.db.prepare(
        `INSERT INTO tasks (id, kind, state, body) VALUES (@id, @kind, @state, @body)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, state = excluded.state, body = excluded.body`,
      ),
      listKind: this.db.prepare<[string], TaskRow>(
        'SELECT id, kind, state, body FROM tasks WHERE kind = ? ORDER BY id',
      ),
      // The states as one JSON array parameter, so that one statement serves any set of them.
      listKindInStates: this.db.prepare<[string, string], TaskRow>(
        `SELECT id, kind, state, body FROM tasks
         WHERE kind = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY id`,
      ),
    };
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const row = this.statements.get.get(id);
    return row && this.decodeOrSkip(row);
  }

  async put(record: TaskRecord): Promise<void> {
    const body = storedTaskBody(record);
    this.statements.put.run({ id: record.id, kind: record.kind, state: record.state, body: JSON.stringify(body) });
  }

  async list(kind: string, states?: readonly core.TaskState[]): Promise<TaskRecord[]> {
    const rows = states
      ? this.statements.listKindInStates.all(kind, JSON.stringify(states))
      : this.statements.listKind.all(kind);
    return rows.map((row) => this.decodeOrSkip(row)).filter((record) => record !== undefined);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The record, or undefined (and a warning) when the row cannot be read: see taskFromRowOrSkip. */
  private decodeOrSkip(row: TaskRow): TaskRecord | undefined {
    return taskFromRowOrSkip(row, this.options.logger);
  }
}
