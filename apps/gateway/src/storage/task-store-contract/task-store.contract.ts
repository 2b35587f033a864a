import type { LoggerService } from '@nestjs/common';
import type { TaskRecord, TaskStore } from '@app/capability';
import { core } from '@app/proto';

/** A store under test and what the contract needs to reach behind it. */
export interface TaskStoreUnderTest {
  /** The store; reopen() replaces it. */
  store: TaskStore;
  /** Closes the store and opens another on the same data, as a restarted gateway would. */
  reopen(): Promise<void>;
  /** Overwrites the stored body of a task behind the store's back, with this JSON. */
  overwriteBody(id: string, json: string): Promise<void>;
  /** Closes the store and frees whatever was opened for it. */
  dispose(): Promise<void>;
}

/** Opens an empty store, for one test, telling `logger` about unreadable rows. */
export type OpenTaskStore = (logger: Pick<LoggerService, 'warn'>) => Promise<TaskStoreUnderTest>;

const { Pending, Running, Completed, Canceled } = core.TaskState;

export function task(id: string, kind: string, state: core.TaskState): TaskRecord {
  return {
    id,
    kind,
    input: { cluster: id },
    state,
    notBefore: new Date('2026-11-29T09:00:00.000Z'),
    metadata: {},
    logs: [],
    transitions: [{ state: Pending, timestamp: new Date('2026-11-29T08:59:00.000Z') }],
  };
}

/**
 * What every TaskStore adapter does, as one suite each adapter's spec runs
 * with its own `open`. What only one adapter has (SQLite's file and its text
 * bodies, PostgreSQL's replicas racing) stays in its own spec.
 */
export function describeTaskStoreContract(adapter: string, open: OpenTaskStore): void {
  describe(`${adapter}: task store contract`, () => {
    let subject: TaskStoreUnderTest;
    // What the store warned about: the fields of each warning (no @app/testing here: this file is built with the gateway).
    let warned: { event?: string; task?: string }[];
    beforeEach(async () => {
      warned = [];
      subject = await open({ warn: (fields: { event?: string; task?: string }) => void warned.push(fields) });
    });
    afterEach(() => subject.dispose());

    it('round-trips a record, its Dates as Dates, across a reopen', async () => {
      const record: TaskRecord = {
        ...task('alerting/uninstall/c1', 'alerting.uninstall', Running),
        progress: { current: 2, total: 5 },
        metadata: { deleteData: true, nested: { step: 'rules' } },
        logs: [
          { timestamp: new Date('2026-11-29T09:00:01.234Z'), msg: 'deleting rules', level: 'info' },
          { timestamp: new Date('2026-11-29T09:00:02.000Z'), msg: 'slow', level: 'warn' },
        ],
        transitions: [
          { state: Pending, timestamp: new Date('2026-11-29T08:59:00.000Z') },
          { state: Running, timestamp: new Date('2026-11-29T09:00:00.500Z') },
        ],
      };
      await subject.store.put(record);
      await subject.reopen();

      const read = await subject.store.get(record.id);
      expect(read).toEqual(record);
      expect(read?.notBefore).toBeInstanceOf(Date);
      expect(read?.logs[0].timestamp).toBeInstanceOf(Date);
      expect(read?.transitions[1].timestamp).toBeInstanceOf(Date);
      expect(await subject.store.get('no/such/task')).toBeUndefined();
    });

    it('replaces the record of an id on put', async () => {
      await subject.store.put(task('t1', 'k', Running));
      await subject.store.put({ ...task('t1', 'k', Completed), metadata: { done: true } });
      expect(await subject.store.get('t1')).toMatchObject({ state: Completed, metadata: { done: true } });
      expect(await subject.store.list('k')).toHaveLength(1);
    });

    it('lists the records of one kind by id, optionally only those in the given states', async () => {
      const { store } = subject;
      await store.put(task('b', 'alerting.uninstall', Running));
      await store.put(task('a', 'alerting.uninstall', Pending));
      await store.put(task('c', 'alerting.uninstall', Completed));
      await store.put(task('d', 'alerting.uninstall', Canceled));
      await store.put(task('e', 'logging.uninstall', Pending));
      await store.put(task('B', 'alerting.uninstall', Pending));

      const ids = (records: TaskRecord[]) => records.map((record) => record.id);
      // Bytewise: upper case before lower case, whatever the database's collation.
      expect(ids(await store.list('alerting.uninstall'))).toEqual(['B', 'a', 'b', 'c', 'd']);
      expect(ids(await store.list('alerting.uninstall', [Pending, Running]))).toEqual(['B', 'a', 'b']);
      expect(ids(await store.list('alerting.uninstall', [Canceled]))).toEqual(['d']);
      expect(ids(await store.list('alerting.uninstall', []))).toEqual([]);
      expect(ids(await store.list('metrics.uninstall'))).toEqual([]);
    });

    it('skips a row whose body is not a task, in list and get, and logs it', async () => {
      await subject.store.put(task('good', 'k', Pending));
      await subject.store.put(task('bad-shape', 'k', Pending));
      await subject.overwriteBody('bad-shape', '{"input":1}');

      expect((await subject.store.list('k')).map((record) => record.id)).toEqual(['good']);
      expect(await subject.store.get('bad-shape')).toBeUndefined();
      const skipped = warned.filter((fields) => fields.event === 'task-row-unreadable');
      expect(skipped.map((fields) => fields.task)).toEqual(['bad-shape', 'bad-shape']);
    });
  });
}
