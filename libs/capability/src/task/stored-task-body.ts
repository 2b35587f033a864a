import type { LoggerService } from '@nestjs/common';
import type { TaskLogEntry, TaskRecord, TaskTransition } from './task.js';

/**
 * How every TaskStore adapter keeps a record: id, kind and state in columns
 * of their own (they are queried), the rest as one JSON document with
 * instants as ms since the epoch.
 */
export interface StoredTaskBody {
  input: unknown;
  notBefore: number;
  progress?: { current: number; total: number };
  metadata: Record<string, unknown>;
  logs: (Omit<TaskLogEntry, 'timestamp'> & { timestamp: number })[];
  transitions: (Omit<TaskTransition, 'timestamp'> & { timestamp: number })[];
}

/** A stored task: its columns, and the body as JSON text (SQLite) or already parsed (PostgreSQL's jsonb). */
export interface StoredTaskRow {
  id: string;
  kind: string;
  state: number;
  body: string | unknown;
}

export function storedTaskBody(record: TaskRecord): StoredTaskBody {
  return {
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
}

/**
 * The record of a stored row, or undefined when the row cannot be read
 * (hand-edited, or written by a bug): it is skipped and logged instead of
 * failing every get/list, since one bad task must not stop the others from
 * being listed, resumed or served. A start with its id replaces it.
 */
export function taskFromRowOrSkip(row: StoredTaskRow, logger?: Pick<LoggerService, 'warn'>): TaskRecord | undefined {
  try {
    return taskFromRow(row);
  } catch (error) {
    logger?.warn(
      { event: 'task-row-unreadable', task: row.id, err: error },
      `task ${row.id}: its stored row cannot be read (${(error as Error).message}); skipped`,
    );
    return undefined;
  }
}

function taskFromRow(row: StoredTaskRow): TaskRecord {
  const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as StoredTaskBody;
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
