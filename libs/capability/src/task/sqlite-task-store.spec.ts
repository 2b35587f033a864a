import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { core } from '@app/proto';
import { capturingLogger, type LoggedLine } from '@app/testing';
import { SqliteTaskStore, TASKS_SCHEMA_VERSION } from './sqlite-task-store.js';
import type { TaskRecord } from './task.js';

const { Pending } = core.TaskState;

/** A Pending task of kind "k": what these tests put only to read back (or not). */
function pendingTask(id: string): TaskRecord {
  const at = new Date('2026-11-29T09:00:00.000Z');
  return { id, kind: 'k', input: {}, state: Pending, notBefore: at, metadata: {}, logs: [], transitions: [] };
}

// What every adapter does (round trip, replace, list, a body that is not a task) runs in the contract
// suite: apps/gateway/src/storage/sqlite/sqlite-task-store.contract.spec.ts. Here, what only SQLite has.
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

  // A body that is not a task runs in the contract suite; a body that is not JSON only SQLite can hold.
  it('skips a row whose body is not JSON, in list and get, and logs it', async () => {
    await store.put(pendingTask('good'));
    await store.put(pendingTask('bad-json'));
    const db = new Database(path);
    db.prepare("UPDATE tasks SET body = '{not json' WHERE id = 'bad-json'").run();
    db.close();

    expect((await store.list('k')).map((record) => record.id)).toEqual(['good']);
    expect(await store.get('bad-json')).toBeUndefined();
    const skipped = logged.filter((line) => (line.fields as { event?: string }).event === 'task-row-unreadable');
    expect(skipped.map((line) => [line.level, (line.fields as { task: string }).task])).toEqual([
      ['warn', 'bad-json'],
      ['warn', 'bad-json'],
    ]);
  });
});
