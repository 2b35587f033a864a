import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { core } from '@app/proto';
import { type Clock, FailedPreconditionError, InvalidArgumentError, NotFoundError, systemClock } from '@app/runtime';
import { capturingLogger, type LoggedLine, waitFor } from '@app/testing';
import { SqliteTaskStore } from './sqlite-task-store.js';
import { TaskController } from './task-controller.js';
import type { RunningTask, TaskRunner } from './task-runner.js';
import type { TaskRecord } from './task.js';

const { Pending, Running, Completed, Failed, Canceled } = core.TaskState;
const KIND = 'alerting.uninstall';
const ID = 'alerting/uninstall/c1';

interface Input {
  cluster: string;
}

/** One call of run(), finished by the test: resolve() = the work is done, reject() = it failed. */
interface Run {
  task: RunningTask<Input>;
  resolve(): void;
  reject(error: Error): void;
}

/** A runner whose runs last until the test ends them; it records its runs and canceled() calls. */
function gatedRunner() {
  const runs: Run[] = [];
  const canceled: { id: string; input: Input }[] = [];
  const runner: TaskRunner<Input> = {
    run: (task) => new Promise<void>((resolve, reject) => runs.push({ task, resolve, reject })),
    canceled: async (task) => void canceled.push(task),
  };
  return { runner, runs, canceled };
}

const states = (record: TaskRecord | undefined) => record?.transitions.map((transition) => transition.state);
const times = (record: TaskRecord | undefined) =>
  record?.transitions.map((transition) => transition.timestamp.getTime());

describe('TaskController', () => {
  let dir: string;
  let cleanups: (() => Promise<void>)[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'task-controller-'));
    cleanups = [];
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A controller on tasks.db in the test's directory (a new store each time, as a new process would open). */
  function controllerFor(
    runner: TaskRunner<Input>,
    options: { clock?: Clock; logged?: LoggedLine[]; stopTimeoutMs?: number } = {},
  ) {
    const store = new SqliteTaskStore(join(dir, 'tasks.db'));
    const controller = new TaskController<Input>({
      kind: KIND,
      runner,
      store,
      clock: options.clock ?? systemClock,
      logger: capturingLogger(options.logged ?? []),
      stopTimeoutMs: options.stopTimeoutMs ?? 2_000,
    });
    cleanups.push(async () => {
      await controller.stop();
      await store.close();
    });
    return { controller, store };
  }

  const stateOf = async (controller: TaskController<Input>, id = ID) => (await controller.status(id))?.state;

  describe('start', () => {
    it('records Pending, turns Running after the delay, then Completed; transitions in order with their times', async () => {
      const { runner, runs } = gatedRunner();
      const { controller } = controllerFor(runner);
      const before = Date.now();

      const started = await controller.start(ID, { cluster: 'c1' }, { delayMs: 100 });
      expect(started).toMatchObject({ id: ID, kind: KIND, input: { cluster: 'c1' }, state: Pending, logs: [] });
      expect(started.notBefore.getTime()).toBe(started.transitions[0].timestamp.getTime() + 100);
      expect(started.transitions[0].timestamp.getTime()).toBeGreaterThanOrEqual(before);
      expect(await controller.status(ID)).toEqual(started);

      const run = await waitFor(() => runs[0], { description: 'run() to be called' });
      expect(run.task).toMatchObject({ id: ID, input: { cluster: 'c1' } });
      expect(states(await controller.status(ID))).toEqual([Pending, Running]);
      expect(await stateOf(controller)).toBe(Running);

      run.resolve();
      await waitFor(async () => (await stateOf(controller)) === Completed, { description: 'Completed' });
      const done = await controller.status(ID);
      expect(states(done)).toEqual([Pending, Running, Completed]);
      const [pendingAt, runningAt, completedAt] = times(done)!;
      expect(runningAt).toBeGreaterThanOrEqual(started.notBefore.getTime());
      expect(completedAt).toBeGreaterThanOrEqual(runningAt);
      expect(pendingAt).toBeLessThan(runningAt);
      expect(runs).toHaveLength(1);
    });

    it('records Failed with the error message logged at level error when run() throws', async () => {
      const { controller } = controllerFor({
        run: async (task) => {
          await task.log('deleting rules');
          throw new Error('the agent refused: rules are locked');
        },
      });
      await controller.start(ID, { cluster: 'c1' });
      await waitFor(async () => (await stateOf(controller)) === Failed, { description: 'Failed' });

      const failed = await controller.status(ID);
      expect(states(failed)).toEqual([Pending, Running, Failed]);
      expect(failed?.logs.map(({ msg, level }) => ({ msg, level }))).toEqual([
        { msg: 'deleting rules', level: 'info' },
        { msg: 'the agent refused: rules are locked', level: 'error' },
      ]);
    });

    it('refuses a task whose id is Pending or Running, changing nothing', async () => {
      const { runner, runs } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start('pending', { cluster: 'c1' }, { delayMs: 60_000 });
      await controller.start('running', { cluster: 'c2' });
      await waitFor(() => runs.length === 1, { description: 'the second task to run' });
      const before = [await controller.status('pending'), await controller.status('running')];

      await expect(controller.start('pending', { cluster: 'x' })).rejects.toThrow(
        new FailedPreconditionError(
          'task pending is already Pending: cancel it or wait for it to finish before starting it again',
        ),
      );
      await expect(controller.start('running', { cluster: 'x' })).rejects.toBeInstanceOf(FailedPreconditionError);
      expect([await controller.status('pending'), await controller.status('running')]).toEqual(before);
      expect(runs).toHaveLength(1);
      runs[0].resolve();
    });

    it.each([
      ['Completed', Completed],
      ['Failed', Failed],
      ['Canceled', Canceled],
    ])('replaces a %s task with a fresh one', async (_, finalState) => {
      const { runner, runs } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start(ID, { cluster: 'first' });
      const first = await waitFor(() => runs[0]);
      await first.task.log('first run');
      if (finalState === Canceled) {
        const canceling = controller.cancel(ID);
        first.resolve();
        await canceling;
      } else {
        if (finalState === Completed) first.resolve();
        else first.reject(new Error('broken'));
        await waitFor(async () => (await stateOf(controller)) === finalState);
      }

      const second = await controller.start(ID, { cluster: 'second' });
      expect(second).toMatchObject({ input: { cluster: 'second' }, state: Pending, logs: [], metadata: {} });
      expect(states(second)).toEqual([Pending]);
      const rerun = await waitFor(() => runs[1], { description: 'the new task to run' });
      expect(rerun.task.input).toEqual({ cluster: 'second' });
      rerun.resolve();
      await waitFor(async () => (await stateOf(controller)) === Completed);
      expect(states(await controller.status(ID))).toEqual([Pending, Running, Completed]);
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the initial delay %p', async (delayMs) => {
      const { controller } = controllerFor(gatedRunner().runner);
      const refusal = controller.start(ID, { cluster: 'c1' }, { delayMs });
      await expect(refusal).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(refusal).rejects.toMatchObject({ field: 'initialDelay' });
      expect(await controller.status(ID)).toBeUndefined();
    });
  });

  describe('while running', () => {
    it('persists every log line, progress and metadata change, so that status() shows them at once', async () => {
      const { runner, runs } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start(ID, { cluster: 'c1' });
      const { task, resolve } = await waitFor(() => runs[0]);

      await task.log('deleting rules');
      await task.progress(1, 3);
      await task.setMetadata({ rulesDeleted: 12 });
      await task.setMetadata({ step: 'receivers' });
      expect(await controller.status(ID)).toMatchObject({
        state: Running,
        progress: { current: 1, total: 3 },
        metadata: { rulesDeleted: 12, step: 'receivers' },
        logs: [{ msg: 'deleting rules', level: 'info' }],
      });

      // Not awaited one by one: the writes still reach the store in call order.
      await Promise.all([task.log('a', 'debug'), task.progress(2, 3), task.log('b', 'warn'), task.progress(3, 3)]);
      const latest = await controller.status(ID);
      expect(latest?.logs.map((entry) => entry.msg)).toEqual(['deleting rules', 'a', 'b']);
      expect(latest?.progress).toEqual({ current: 3, total: 3 });
      await expect(task.progress(1.5, 3)).rejects.toThrow(RangeError);
      resolve();
    });
  });

  describe('cancel', () => {
    it('cancels a Pending task before its delay is over: the runner never runs, canceled() is called once', async () => {
      const { runner, runs, canceled } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start(ID, { cluster: 'c1' }, { delayMs: 60_000 });

      const result = await controller.cancel(ID);
      expect(result.state).toBe(Canceled);
      expect(states(result)).toEqual([Pending, Canceled]);
      expect(result.logs.map((entry) => entry.msg)).toEqual(['canceled on request']);
      expect(await controller.status(ID)).toEqual(result);
      expect(canceled).toEqual([{ id: ID, input: { cluster: 'c1' } }]);
      expect(runs).toHaveLength(0);
    });

    it('cancels a Running task: Canceled at once, the signal aborted, still Canceled when run() then resolves', async () => {
      const { runner, runs, canceled } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start(ID, { cluster: 'c1' });
      const run = await waitFor(() => runs[0]);

      const canceling = controller.cancel(ID);
      await waitFor(async () => (await stateOf(controller)) === Canceled, { description: 'Canceled recorded' });
      expect(run.task.signal.aborted).toBe(true);
      expect(() => run.task.throwIfCanceled()).toThrow(`task ${ID} was canceled`);
      expect(canceled).toEqual([]); // not before run() has settled

      await run.task.log('rolling back'); // a run winding down may still log
      run.resolve();
      const result = await canceling;
      expect(canceled).toEqual([{ id: ID, input: { cluster: 'c1' } }]);
      expect(states(result)).toEqual([Pending, Running, Canceled]);
      expect(await controller.status(ID)).toMatchObject({ state: Canceled, transitions: result.transitions });
      expect(result.logs.map((entry) => entry.msg)).toEqual(['canceled on request', 'rolling back']);
    });

    it('records Canceled, not Failed, when the aborted run() throws', async () => {
      const { canceled, runner } = gatedRunner();
      const { controller } = controllerFor({
        ...runner,
        run: async (task) => {
          await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
          task.throwIfCanceled();
        },
      });
      await controller.start(ID, { cluster: 'c1' });
      await waitFor(async () => (await stateOf(controller)) === Running);
      expect(states(await controller.cancel(ID))).toEqual([Pending, Running, Canceled]);
      expect(canceled).toHaveLength(1);
    });

    it('refuses a finished task and an unknown one; a second cancel does not call canceled() again', async () => {
      const { runner, runs, canceled } = gatedRunner();
      const { controller } = controllerFor(runner);
      await controller.start('done', { cluster: 'c1' });
      (await waitFor(() => runs[0])).resolve();
      await waitFor(async () => (await stateOf(controller, 'done')) === Completed);
      await controller.start('canceled', { cluster: 'c2' }, { delayMs: 60_000 });
      await controller.cancel('canceled');

      await expect(controller.cancel('done')).rejects.toThrow(
        new FailedPreconditionError('task done is Completed: only a Pending or Running task can be canceled'),
      );
      await expect(controller.cancel('canceled')).rejects.toBeInstanceOf(FailedPreconditionError);
      await expect(controller.cancel('unknown')).rejects.toThrow(new NotFoundError('no task unknown'));
      expect(canceled).toHaveLength(1);
      expect(await stateOf(controller, 'done')).toBe(Completed);
    });

    it('logs a failing canceled() hook in the task, which stays Canceled', async () => {
      const { runner } = gatedRunner();
      const { controller } = controllerFor({
        ...runner,
        canceled: async () => {
          throw new Error('capability not found');
        },
      });
      await controller.start(ID, { cluster: 'c1' }, { delayMs: 60_000 });
      const result = await controller.cancel(ID);
      expect(result.state).toBe(Canceled);
      expect(result.logs.at(-1)).toMatchObject({ msg: 'undoing after the cancel failed: capability not found' });
      expect((await controller.status(ID))?.logs.at(-1)?.level).toBe('error');
    });
  });

  describe('stop and resume', () => {
    it('resumes a Pending task in another controller on the same file, honouring what remains of its delay', async () => {
      const first = gatedRunner();
      const { controller: before } = controllerFor(first.runner);
      const started = await before.start(ID, { cluster: 'c1' }, { delayMs: 60_000 });
      await before.stop();
      expect(await before.status(ID)).toMatchObject({ state: Pending });

      // The next process starts when only 200 ms of the minute are left.
      const skew = started.notBefore.getTime() - 200 - Date.now();
      const clock = { now: () => Date.now() + skew };
      const second = gatedRunner();
      const { controller: after } = controllerFor(second.runner, { clock });
      expect(await after.resume()).toBe(1);
      expect(await stateOf(after)).toBe(Pending);

      const run = await waitFor(() => second.runs[0], { description: 'the resumed task to run' });
      const running = await after.status(ID);
      expect(states(running)).toEqual([Pending, Running]);
      expect(times(running)![1]).toBeGreaterThanOrEqual(started.notBefore.getTime());
      run.resolve();
      await waitFor(async () => (await stateOf(after)) === Completed);
      expect(first.runs).toHaveLength(0);
    });

    it('leaves a Running task Running on stop (its outcome unrecorded) and runs it again on resume', async () => {
      const first = gatedRunner();
      const { controller: before } = controllerFor(first.runner);
      await before.start(ID, { cluster: 'c1' });
      const interrupted = await waitFor(() => first.runs[0]);
      await interrupted.task.progress(1, 2);

      const stopping = before.stop();
      expect(interrupted.task.signal.aborted).toBe(true);
      interrupted.resolve(); // settles after stop(): must not count as Completed
      await stopping;
      await expect(before.start('other', { cluster: 'c2' })).rejects.toBeInstanceOf(FailedPreconditionError);
      await expect(before.cancel(ID)).rejects.toBeInstanceOf(FailedPreconditionError);
      expect(await before.status(ID)).toMatchObject({ state: Running, progress: { current: 1, total: 2 } });

      const second = gatedRunner();
      const { controller: after } = controllerFor(second.runner);
      expect(await after.resume()).toBe(1);
      const rerun = await waitFor(() => second.runs[0], { description: 'run() again' });
      expect(rerun.task.input).toEqual({ cluster: 'c1' });
      rerun.resolve();
      await waitFor(async () => (await stateOf(after)) === Completed);
      const done = await after.status(ID);
      expect(states(done)).toEqual([Pending, Running, Completed]);
      expect(done?.logs.map((entry) => entry.msg)).toEqual([
        'resumed after a restart; running it again from the start',
      ]);
    });

    it('resumes only active tasks of its own kind', async () => {
      const { controller: before, store } = controllerFor(gatedRunner().runner);
      await before.start('finished', { cluster: 'c1' }, { delayMs: 60_000 });
      await before.cancel('finished');
      await store.put({
        ...(await store.get('finished'))!,
        id: 'other-kind',
        kind: 'logging.uninstall',
        state: Pending,
      });
      await before.stop();

      const { controller: after } = controllerFor(gatedRunner().runner);
      expect(await after.resume()).toBe(0);
      expect(await after.status('other-kind')).toBeUndefined();
    });

    it('cancels a task a previous process left Running before resume() is called; it then stays canceled', async () => {
      const first = gatedRunner();
      const { controller: before } = controllerFor(first.runner);
      await before.start(ID, { cluster: 'c1' });
      const interrupted = await waitFor(() => first.runs[0]);
      const stopping = before.stop();
      interrupted.resolve();
      await stopping;

      const second = gatedRunner();
      const { controller: after } = controllerFor(second.runner);
      expect(states(await after.cancel(ID))).toEqual([Pending, Running, Canceled]);
      expect(second.canceled).toEqual([{ id: ID, input: { cluster: 'c1' } }]);
      expect(await after.resume()).toBe(0);
      expect(second.runs).toHaveLength(0);
    });

    it('gives up waiting for a run that ignores the abort after stopTimeoutMs, and logs it', async () => {
      const logged: LoggedLine[] = [];
      const { runner, runs } = gatedRunner();
      const { controller } = controllerFor(runner, { logged, stopTimeoutMs: 100 });
      await controller.start(ID, { cluster: 'c1' });
      await waitFor(() => runs[0]);

      await controller.stop(); // the run never settles
      expect(logged.map((line) => (line.fields as { event: string }).event)).toContain('task-stop-timeout');
      expect(await stateOf(controller)).toBe(Running);
    });
  });
});
