import type { LoggerService } from '@nestjs/common';
import { core } from '@app/proto';
import { type Clock, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@app/runtime';
import { ACTIVE_TASK_STATES, isActive, type TaskLogLevel, type TaskRecord } from './task.js';
import type { RunningTask, StartTaskOptions, TaskControllerOptions, TaskRunner } from './task-runner.js';
import type { TaskStore } from './task-store.js';

/** A task this controller has scheduled, runs or is canceling. */
interface Execution<I> {
  /** The latest state; the store has it once `writes` settles. Mutated in place, never replaced. */
  readonly record: TaskRecord<I>;
  readonly abort: AbortController;
  /** This task's puts, chained: the store never receives them out of order, so it never goes backwards. */
  writes: Promise<void>;
  /** Settles when the delay, run() and the recording of its outcome are over (at once when never scheduled). */
  settled: Promise<void>;
}

/**
 * Runs persisted, cancelable tasks of one kind: start() records a Pending task
 * that turns Running after its delay and then Completed or Failed with the
 * runner's outcome; cancel() records Canceled at once, stops the run and calls
 * the runner's compensation; resume() picks up what a previous process left
 * Pending or Running; stop() leaves them so for the next one.
 *
 * Operations on one id (start, cancel, resume) take turns, so a start waits
 * for a cancel in progress (its compensation included) instead of racing it.
 */
export class TaskController<I> {
  private readonly kind: string;
  private readonly runner: TaskRunner<I>;
  private readonly store: TaskStore;
  private readonly clock: Clock;
  private readonly logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  private readonly stopTimeoutMs: number;
  private readonly executions = new Map<string, Execution<I>>();
  /** Per id, the tail of its queue of operations (see exclusive()). */
  private readonly operations = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(options: TaskControllerOptions<I>) {
    this.kind = options.kind;
    this.runner = options.runner;
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  /**
   * Records a new Pending task and schedules it. Refused while a task with
   * this id is Pending or Running; a finished one (Completed, Failed,
   * Canceled) is replaced.
   */
  async start(id: string, input: I, options: StartTaskOptions = {}): Promise<TaskRecord<I>> {
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new InvalidArgumentError('initialDelay', `must be a finite number of milliseconds >= 0, got ${delayMs}`);
    }
    return this.exclusive(id, async () => {
      this.refuseIfStopped(`start task ${id}`);
      const current = this.executions.get(id);
      if (current && isActive(current.record.state)) throw alreadyActive(current.record);
      await current?.settled; // its outcome is being recorded: replace it afterwards
      const existing = await this.store.get(id);
      if (existing && existing.kind !== this.kind) {
        throw new FailedPreconditionError(`task id ${id} is taken by a task of kind ${existing.kind}`);
      }
      if (existing && isActive(existing.state)) throw alreadyActive(existing);

      const now = this.clock.now();
      const record: TaskRecord<I> = {
        id,
        kind: this.kind,
        input,
        state: core.TaskState.Pending,
        notBefore: new Date(now + delayMs),
        metadata: {},
        logs: [],
        transitions: [{ state: core.TaskState.Pending, timestamp: new Date(now) }],
      };
      await this.store.put(structuredClone(record));
      this.schedule(this.track(record));
      this.logger?.log({ event: 'task-started', task: id, kind: this.kind, delayMs }, `task ${id} started`);
      return structuredClone(record);
    });
  }

  /** The task as last recorded; undefined when there is none of this controller's kind. */
  async status(id: string): Promise<TaskRecord<I> | undefined> {
    return this.ownRecord(id);
  }

  /**
   * Records Canceled at once, aborts the run (or its delay), waits for run()
   * to settle (its outcome is ignored) and then calls the runner's canceled()
   * hook. Resolves with the Canceled record once all that is done.
   */
  async cancel(id: string): Promise<TaskRecord<I>> {
    return this.exclusive(id, async () => {
      this.refuseIfStopped(`cancel task ${id}`);
      // Not scheduled here (e.g. before resume()): canceled in the store, with no run to wait for.
      let execution = this.executions.get(id);
      if (!execution) {
        const stored = await this.ownRecord(id);
        if (!stored) throw new NotFoundError(`no task ${id}`);
        execution = this.track(stored);
      }
      if (!isActive(execution.record.state)) {
        throw new FailedPreconditionError(
          `task ${id} is ${stateName(execution.record.state)}: only a Pending or Running task can be canceled`,
        );
      }
      const recorded = this.update(execution, (record) => {
        const now = new Date(this.clock.now());
        record.state = core.TaskState.Canceled;
        record.transitions.push({ state: core.TaskState.Canceled, timestamp: now });
        record.logs.push({ timestamp: now, msg: 'canceled on request', level: 'info' });
      });
      execution.abort.abort(new DOMException(`task ${id} was canceled`, 'AbortError'));
      try {
        await recorded;
        await execution.settled;
        await this.callCanceledHook(execution);
      } finally {
        this.forget(execution);
      }
      this.logger?.log({ event: 'task-canceled', task: id, kind: this.kind }, `task ${id} canceled`);
      return structuredClone(execution.record);
    });
  }

  /**
   * At start-up: schedules every stored task of this kind that is Pending (for
   * what remains of its delay) or Running (run() again from the start).
   * Returns how many.
   */
  async resume(): Promise<number> {
    this.refuseIfStopped('resume tasks');
    const found = await this.store.list(this.kind, ACTIVE_TASK_STATES);
    let resumed = 0;
    for (const { id } of found) {
      await this.exclusive(id, async () => {
        // Read again under the turn: a cancel may have come in since the listing.
        const record = await this.ownRecord(id);
        if (this.executions.has(id) || !record || !isActive(record.state)) return;
        const execution = this.track(record);
        const again = record.state === core.TaskState.Running ? '; running it again from the start' : '';
        await this.log(execution, `resumed after a restart${again}`, 'info');
        this.schedule(execution);
        resumed++;
      });
    }
    if (resumed > 0) {
      this.logger?.log({ event: 'tasks-resumed', kind: this.kind, count: resumed }, `${resumed} task(s) resumed`);
    }
    return resumed;
  }

  /**
   * Shutdown: aborts delays and runs without recording anything (the store
   * keeps them Pending or Running, so the next process resumes them) and
   * waits, at most stopTimeoutMs, for runs, writes and cancels in progress to
   * settle, so that the store can be closed after. Later calls are refused.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const executions = [...this.executions.values()];
    for (const execution of executions) {
      execution.abort.abort(new DOMException(`the ${this.kind} task controller is stopping`, 'AbortError'));
    }
    const quiet = Promise.all([
      ...executions.flatMap((execution) => [execution.settled, execution.writes]),
      ...this.operations.values(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), this.stopTimeoutMs)));
    if ((await Promise.race([quiet, timedOut])) === true) {
      this.logger?.warn(
        { event: 'task-stop-timeout', kind: this.kind, timeoutMs: this.stopTimeoutMs },
        `some ${this.kind} tasks did not stop within ${this.stopTimeoutMs} ms; they resume at the next start`,
      );
    }
    clearTimeout(timer);
    this.executions.clear();
  }

  /** Runs `operation` after every earlier operation on `id` has finished. */
  private exclusive<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.operations.get(id) ?? Promise.resolve();
    const result = previous.then(operation);
    const tail = result.catch(() => undefined);
    this.operations.set(id, tail);
    void tail.then(() => {
      if (this.operations.get(id) === tail) this.operations.delete(id);
    });
    return result;
  }

  private refuseIfStopped(what: string): void {
    if (this.stopped) throw new FailedPreconditionError(`cannot ${what}: the ${this.kind} task controller is stopped`);
  }

  private async ownRecord(id: string): Promise<TaskRecord<I> | undefined> {
    const record = await this.store.get(id);
    return record?.kind === this.kind ? (record as TaskRecord<I>) : undefined;
  }

  private track(record: TaskRecord<I>): Execution<I> {
    const execution: Execution<I> = {
      record,
      abort: new AbortController(),
      writes: Promise.resolve(),
      settled: Promise.resolve(),
    };
    this.executions.set(record.id, execution);
    return execution;
  }

  private forget(execution: Execution<I>): void {
    if (this.executions.get(execution.record.id) === execution) this.executions.delete(execution.record.id);
  }

  /** After stop() nothing is scheduled: the store keeps the task Pending or Running for the next process. */
  private schedule(execution: Execution<I>): void {
    if (!this.stopped) execution.settled = this.execute(execution);
  }

  /**
   * Applies `mutate` now and persists the result after this task's earlier
   * writes. Nothing is written after stop(), nor for an execution that is no
   * longer tracked (a leftover of a finished run must not overwrite the
   * record of a task that replaced it).
   */
  private update(execution: Execution<I>, mutate: (record: TaskRecord<I>) => void): Promise<void> {
    if (this.stopped || this.executions.get(execution.record.id) !== execution) return Promise.resolve();
    mutate(execution.record);
    const snapshot = structuredClone(execution.record);
    const write = execution.writes.then(() => this.store.put(snapshot));
    execution.writes = write.catch(() => undefined);
    return write;
  }

  private log(execution: Execution<I>, msg: string, level: TaskLogLevel): Promise<void> {
    return this.update(execution, (record) => record.logs.push({ timestamp: new Date(this.clock.now()), msg, level }));
  }

  /** Delay, run, outcome. Never rejects: a failed write is logged (the store keeps the state before it). */
  private async execute(execution: Execution<I>): Promise<void> {
    const { record } = execution;
    const { signal } = execution.abort;
    try {
      await this.waitUntil(record.notBefore.getTime(), signal);
      if (signal.aborted) return;
      if (record.state === core.TaskState.Pending) {
        await this.update(execution, () => {
          record.state = core.TaskState.Running;
          record.transitions.push({ state: core.TaskState.Running, timestamp: new Date(this.clock.now()) });
        });
      }
      if (signal.aborted) return;
      let failure: Error | undefined;
      try {
        await this.runner.run(this.runningTask(execution));
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      // Canceled (already recorded) or stopping (the store keeps Running): the outcome does not count.
      if (signal.aborted) return;
      await this.update(execution, () => {
        const now = new Date(this.clock.now());
        record.state = failure ? core.TaskState.Failed : core.TaskState.Completed;
        record.transitions.push({ state: record.state, timestamp: now });
        if (failure) record.logs.push({ timestamp: now, msg: failure.message, level: 'error' });
      });
      this.logger?.log(
        { event: 'task-finished', task: record.id, kind: this.kind, state: stateName(record.state) },
        `task ${record.id} ${stateName(record.state)}${failure ? `: ${failure.message}` : ''}`,
      );
    } catch (error) {
      this.logger?.error(
        { event: 'task-write-failed', task: record.id, kind: this.kind, err: error },
        `task ${record.id}: its state could not be recorded (${(error as Error).message})`,
      );
    } finally {
      if (!signal.aborted) this.forget(execution);
    }
  }

  /** Resolves at `instant` by the clock, or as soon as `signal` aborts. */
  private async waitUntil(instant: number, signal: AbortSignal): Promise<void> {
    // A timer may fire a little early by the clock: wait again for what remains.
    for (let remaining = instant - this.clock.now(); remaining > 0 && !signal.aborted;) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(remaining, LONGEST_TIMER_MS));
        signal.addEventListener('abort', wake);
      });
      remaining = instant - this.clock.now();
    }
  }

  private runningTask(execution: Execution<I>): RunningTask<I> {
    const { record, abort } = execution;
    return {
      id: record.id,
      input: record.input,
      signal: abort.signal,
      log: (msg, level = 'info') => this.log(execution, msg, level),
      progress: async (current, total) => {
        if (![current, total].every((n) => Number.isSafeInteger(n) && n >= 0)) {
          throw new RangeError(`task progress must be non-negative integers, got ${current}/${total}`);
        }
        await this.update(execution, (record) => {
          record.progress = { current, total };
        });
      },
      setMetadata: (patch) =>
        this.update(execution, (record) => {
          Object.assign(record.metadata, patch);
        }),
      throwIfCanceled: () => abort.signal.throwIfAborted(),
    };
  }

  private async callCanceledHook(execution: Execution<I>): Promise<void> {
    const { id, input } = execution.record;
    try {
      await this.runner.canceled?.({ id, input });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger?.error(
        { event: 'task-cancel-hook-failed', task: id, kind: this.kind, err: error },
        `task ${id}: undoing after the cancel failed (${message})`,
      );
      await this.log(execution, `undoing after the cancel failed: ${message}`, 'error');
    }
  }
}

/** setTimeout fires at once for longer delays; a longer wait takes several turns. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function alreadyActive(record: TaskRecord): FailedPreconditionError {
  return new FailedPreconditionError(
    `task ${record.id} is already ${stateName(record.state)}: cancel it or wait for it to finish before starting it again`,
  );
}

function stateName(state: core.TaskState): string {
  return core.TaskState[state] ?? `state ${state}`;
}
