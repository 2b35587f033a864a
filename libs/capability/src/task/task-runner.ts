// The contract between a TaskController and what it runs: the runner one kind of task
// implements, the task as a run sees it, and the controller's options.
import type { LoggerService } from '@nestjs/common';
import type { Clock } from '@app/runtime';
import type { TaskLogLevel } from './task.js';
import type { TaskStore } from './task-store.js';

/**
 * What a task does, for one kind of task. run() returning means Completed,
 * throwing means Failed (the error's message is logged in the task).
 *
 * run() must be idempotent: after a restart a task that was Running runs again
 * from the start (its store record says how far it got: logs, progress,
 * metadata). It should watch `task.signal` and return or throw soon after it
 * is aborted (cancel, or the controller stopping): cancel() and stop() wait
 * for it.
 */
export interface TaskRunner<I> {
  run(task: RunningTask<I>): Promise<void>;
  /**
   * Compensation, called once after a cancel has been recorded and the run
   * (if one had started) has settled, e.g. to put the capability back. A
   * failure is logged in the task; the task stays Canceled.
   */
  canceled?(task: { id: string; input: I }): Promise<void>;
}

/**
 * The task as its run() sees it. Every change is persisted before the returned
 * promise resolves; once the task has finished or the controller has stopped,
 * changes are dropped (a later task with the same id keeps its own record).
 */
export interface RunningTask<I> {
  readonly id: string;
  readonly input: I;
  /** Aborted when the task is canceled or the controller stops. */
  readonly signal: AbortSignal;
  log(msg: string, level?: TaskLogLevel): Promise<void>;
  /** Non-negative integers (served as uint64). */
  progress(current: number, total: number): Promise<void>;
  /** Merged into the task's metadata (shallow). */
  setMetadata(patch: Record<string, unknown>): Promise<void>;
  /** Throws the signal's reason once the task is canceled or the controller stops. */
  throwIfCanceled(): void;
}

export interface TaskControllerOptions<I> {
  /** The kind of the tasks this controller owns, e.g. "alerting.uninstall". */
  kind: string;
  runner: TaskRunner<I>;
  store: TaskStore;
  clock: Clock;
  /** Nest's Logger fits. */
  logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  /** How long stop() waits for aborted runs to settle; 10 s by default. */
  stopTimeoutMs?: number;
}

export interface StartTaskOptions {
  /** How long the task stays Pending before it runs (a grace period to cancel in). */
  delayMs?: number;
}
