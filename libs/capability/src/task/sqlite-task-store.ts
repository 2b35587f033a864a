import type Database from 'better-sqlite3';
import type { LoggerService } from '@nestjs/common';
import type { core } from '@app/proto';
import { openVersionedSqlite } from '@app/runtime';
import type { TaskLogEntry, TaskRecord, TaskTransition } from './task.js';
import type { TaskStore } from './task-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const TASKS_SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS tasks (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    state INTEGER NOT NULL,  -- core.TaskState
    body  TEXT NOT NULL      -- JSON of the rest of the record (StoredBody), instants as ms since the epoch
  );
  CREATE INDEX IF NOT EXISTS tasks_by_kind_state ON tasks (kind, state);
`;

interface TaskRow {
  id: string;
  kind: string;
  state: number;
  body: string;
}

/** The record without id, kind and state (they have columns), Dates as ms since the epoch. */
interface StoredBody {
  input: unknown;
  notBefore: number;
  progress?: { current: number; total: number };
  metadata: Record<string, unknown>;
  logs: (Omit<TaskLogEntry, 'timestamp'> & { timestamp: number })[];
  transitions: (Omit<TaskTransition, 'timestamp'> & { timestamp: number })[];
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
    const body: StoredBody = {
      input: record.input,
      notBefore: record.notBefore.getTime(),
      progress: record.progress,
      metadata: record.metadata,
      logs: record.logs.map((entry) => ({ ...entry, timestamp: entry.timestamp.getTime() })),
      transitions: record.transitions.map((transition) => ({
        ...transition,
        timestamp: transition.timestamp.getTime(),
      })),
    };
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

  /**
   * A row that cannot be read (hand-edited, or written by a bug) is skipped
   * and logged instead of failing every get/list: one bad task must not stop
   * the others from being listed, resumed or served. A start with its id
   * replaces it.
   */
  private decodeOrSkip(row: TaskRow): TaskRecord | undefined {
    try {
      return decode(row);
    } catch (error) {
      this.options.logger?.warn(
        { event: 'task-row-unreadable', task: row.id, err: error },
        `task ${row.id}: its stored row cannot be read (${(error as Error).message}); skipped`,
      );
      return undefined;
    }
  }
}

function decode(row: TaskRow): TaskRecord {
  const body = JSON.parse(row.body) as StoredBody;
  if (typeof body?.notBefore !== 'number' || !Array.isArray(body.logs) || !Array.isArray(body.transitions)) {
    throw new Error('not a task body: notBefore, logs or transitions missing');
  }
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    input: body.input,
    notBefore: new Date(body.notBefore),
    ...(body.progress && { progress: body.progress }),
    metadata: body.metadata ?? {},
    logs: body.logs.map((entry) => ({ ...entry, timestamp: new Date(entry.timestamp) })),
    transitions: body.transitions.map((transition) => ({
      ...transition,
      timestamp: new Date(transition.timestamp),
    })),
  };
}
