import { core } from '@app/proto';

/**
 * A long-running, persisted operation of a capability (its uninstall): what
 * the TaskController records so that a restart resumes it and an operator can
 * watch and cancel it. Stored through a TaskStore; served as core.TaskStatus.
 */
export interface TaskRecord<I = unknown> {
  /** Unique per task, e.g. "alerting/uninstall/<cluster>"; a new task with the id of a finished one replaces it. */
  id: string;
  /** Which controller (and runner) owns it, e.g. "alerting.uninstall". */
  kind: string;
  /** What the task was started with; JSON-serialisable. */
  input: I;
  state: core.TaskState;
  /** The task does not run before this instant (its initial delay): Pending until then. */
  notBefore: Date;
  progress?: { current: number; total: number };
  /** Task-specific facts for the operator (served as TaskStatus.metadata JSON). */
  metadata: Record<string, unknown>;
  logs: TaskLogEntry[];
  /** Every state the task entered, in order, with when (the first is Pending). */
  transitions: TaskTransition[];
}

export type TaskLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TaskLogEntry {
  timestamp: Date;
  msg: string;
  level: TaskLogLevel;
}

export interface TaskTransition {
  state: core.TaskState;
  timestamp: Date;
}

/** States a task can still leave: it may be canceled, and a restart resumes it. */
export const ACTIVE_TASK_STATES: readonly core.TaskState[] = [core.TaskState.Pending, core.TaskState.Running];

export function isActive(state: core.TaskState): boolean {
  return ACTIVE_TASK_STATES.includes(state);
}
