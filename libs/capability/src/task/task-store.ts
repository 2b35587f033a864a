import type { core } from '@app/proto';
import type { TaskRecord } from './task.js';

/** Injection token of the TaskStore (SQLite by default). */
export const TASK_STORE = Symbol('TaskStore');

/**
 * Where tasks are persisted. Adapters: SqliteTaskStore (embedded default);
 * a NATS JetStream KV adapter later, for several gateway replicas.
 */
export interface TaskStore {
  get(id: string): Promise<TaskRecord | undefined>;
  /** Creates or replaces the record; durable (fsynced) when it resolves. */
  put(record: TaskRecord): Promise<void>;
  /** Records of one kind, optionally only in the given states. */
  list(kind: string, states?: readonly core.TaskState[]): Promise<TaskRecord[]>;
  close(): Promise<void>;
}
