import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { core } from '@app/proto';
import { capturingLogger, type LoggedLine } from '@app/testing';
import { SqliteTaskStore, TASKS_SCHEMA_VERSION } from './sqlite-task-store.js';
import type { TaskRecord } from './task.js';

const { Pending, Running, Completed, Canceled } = core.TaskState;

function task(id: string, kind: string, state: core.TaskState): TaskRecord {
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

describe('SqliteTaskStore', () => {
  let dir: string;
  let path: string;
  let logged: LoggedLine[];
  let store: SqliteTaskStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'task-store-'));
    path = join(dir, 'tasks.db');
    logged = [];
    store = new SqliteTaskStore(path, { logger: capturingLogger(logged) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the file in WAL mode with its schema version (openVersionedSqlite; its spec covers synchronous=FULL)', () => {
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(TASKS_SCHEMA_VERSION);
    db.close();
  });

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
    await store.put(record);
    await store.close();
    store = new SqliteTaskStore(path);

    const read = await store.get(record.id);
    expect(read).toEqual(record);
    expect(read?.notBefore).toBeInstanceOf(Date);
    expect(read?.logs[0].timestamp).toBeInstanceOf(Date);
    expect(read?.transitions[1].timestamp).toBeInstanceOf(Date);
    expect(await store.get('no/such/task')).toBeUndefined();
  });

  it('replaces the record of an id on put', async () => {
    await store.put(task('t1', 'k', Running));
    await store.put({ ...task('t1', 'k', Completed), metadata: { done: true } });
    expect(await store.get('t1')).toMatchObject({ state: Completed, metadata: { done: true } });
    expect(await store.list('k')).toHaveLength(1);
  });

  it('lists the records of one kind, optionally only those in the given states', async () => {
    await store.put(task('b', 'alerting.uninstall', Running));
    await store.put(task('a', 'alerting.uninstall', Pending));
    await store.put(task('c', 'alerting.uninstall', Completed));
    await store.put(task('d', 'alerting.uninstall', Canceled));
    await store.put(task('e', 'logging.uninstall', Pending));

    const ids = (records: TaskRecord[]) => records.map((record) => record.id);
    expect(ids(await store.list('alerting.uninstall'))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(await store.list('alerting.uninstall', [Pending, Running]))).toEqual(['a', 'b']);
    expect(ids(await store.list('alerting.uninstall', [Canceled]))).toEqual(['d']);
    expect(ids(await store.list('alerting.uninstall', []))).toEqual([]);
    expect(ids(await store.list('metrics.uninstall'))).toEqual([]);
  });

  it('skips a row that cannot be read, in list and get, and logs it', async () => {
    await store.put(task('good', 'k', Pending));
    await store.put(task('bad-json', 'k', Pending));
    await store.put(task('bad-shape', 'k', Pending));
    const db = new Database(path);
    db.prepare("UPDATE tasks SET body = '{not json' WHERE id = 'bad-json'").run();
    db.prepare(`UPDATE tasks SET body = '{"input":1}' WHERE id = 'bad-shape'`).run();
    db.close();

    expect((await store.list('k')).map((record) => record.id)).toEqual(['good']);
    expect(await store.get('bad-json')).toBeUndefined();
    const skipped = logged.filter((line) => (line.fields as { event?: string }).event === 'task-row-unreadable');
    expect(skipped.map((line) => [line.level, (line.fields as { task: string }).task])).toEqual([
      ['warn', 'bad-json'],
      ['warn', 'bad-shape'],
      ['warn', 'bad-json'],
    ]);
  });
});
