import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { QueueRecord, QueueWrite } from './queue-store.js';
import { SqliteQueueStore, type Durability } from './sqlite-queue-store.js';

const T0 = Date.UTC(2030, 0, 1);

function record(id: string, seq: number, overrides: Partial<QueueRecord> = {}): QueueRecord {
  return {
    id,
    seq,
    severity: 1,
    bytes: 3,
    dedupeKey: undefined,
    createdAt: T0 + seq,
    attempts: 0,
    occurrences: 1,
    ...overrides,
  };
}

const insert = (r: QueueRecord, payload = new Uint8Array(r.bytes).fill(r.seq)): QueueWrite => ({
  op: 'insert',
  record: r,
  payload,
});

let dir: string;
let path: string;
const stores: SqliteQueueStore[] = [];

/** Opens a store on the test file and returns what recover() visited. */
function open(durability?: Durability) {
  const store = new SqliteQueueStore(path, durability);
  stores.push(store);
  const records: QueueRecord[] = [];
  const aliases: [string, string][] = [];
  const visited: string[] = [];
  const report = store.recover(
    (r) => {
      records.push(r);
      visited.push(`record ${r.id}`);
    },
    (alias, id) => {
      aliases.push([alias, id]);
      visited.push(`alias ${alias}`);
    },
  );
  return { store, records, aliases, visited, report };
}

/** The SQLite error code `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: { code?: unknown }) => error.code,
  );
}

function query<T>(sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-queue-store-'));
  path = join(dir, 'queue.db');
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteQueueStore', () => {
  it.each<[Durability | undefined, number]>([
    [undefined, 2],
    ['fsync', 2],
    ['os', 1],
  ])('durability %s: WAL, synchronous=%d, foreign keys on', (durability, synchronous) => {
    const { store } = open(durability);
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(synchronous);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('recovers what was committed, in seq order, aliases after records', async () => {
    let { store } = open();
    await store.commit([
      insert(record('b', 7, { severity: 3, dedupeKey: 'k' })),
      insert(record('a', 2, { attempts: 4, occurrences: 2 })),
      { op: 'alias', alias: 'b2', id: 'b' },
    ]);
    store.close();
    const reopened = open();
    expect(reopened.records).toEqual([
      record('a', 2, { attempts: 4, occurrences: 2 }),
      record('b', 7, { severity: 3, dedupeKey: 'k' }),
    ]);
    expect(reopened.aliases).toEqual([['b2', 'b']]);
    expect(reopened.visited).toEqual(['record a', 'record b', 'alias b2']);
    expect(reopened.report).toEqual({ quarantined: 0 });
    store = reopened.store;
    expect(await store.payloads(['a', 'b', 'missing'])).toEqual(
      new Map([
        ['a', Buffer.from([2, 2, 2])],
        ['b', Buffer.from([7, 7, 7])],
      ]),
    );
  });

  it('applies replace, attempts and delete; deleting an entry deletes its aliases', async () => {
    const { store } = open();
    await store.commit([insert(record('a', 0)), insert(record('b', 1)), { op: 'alias', alias: 'a2', id: 'a' }]);
    await store.commit([
      { op: 'replace', id: 'a', severity: 3, occurrences: 5, payload: new Uint8Array([9, 9, 9, 9, 9]) },
      { op: 'attempts', id: 'b', attempts: 2 },
    ]);
    expect(query('SELECT id, severity, bytes, occurrences, attempts FROM queue ORDER BY seq')).toEqual([
      { id: 'a', severity: 3, bytes: 5, occurrences: 5, attempts: 0 },
      { id: 'b', severity: 1, bytes: 3, occurrences: 1, attempts: 2 },
    ]);
    expect(await store.payloads(['a'])).toEqual(new Map([['a', Buffer.from([9, 9, 9, 9, 9])]]));
    await store.commit([{ op: 'delete', id: 'a' }]);
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'b' }]);
    expect(query('SELECT * FROM queue_alias')).toEqual([]);
  });

  it('a batch commits atomically: one failing write rolls back all of it', async () => {
    const { store } = open();
    await store.commit([insert(record('a', 0))]);
    // (SqliteError is not an Error of the test's realm, so compare its code rather than use toThrow)
    expect(
      await failure(store.commit([insert(record('b', 1)), { op: 'delete', id: 'a' }, insert(record('b', 2))])),
    ).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'a' }]);
    // an alias of an id that is not stored violates the foreign key: the whole batch fails
    expect(await failure(store.commit([insert(record('c', 3)), { op: 'alias', alias: 'x', id: 'nope' }]))).toBe(
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'a' }]);
    await store.commit([]);
  });

  it('quarantine moves a row aside with its columns and payload; unknown ids are ignored', async () => {
    const { store } = open();
    await store.commit([insert(record('a', 5, { dedupeKey: 'k', attempts: 1 }))]);
    await store.quarantine('a', 'payload unreadable: test');
    await store.quarantine('unknown', 'nothing');
    expect(query('SELECT id FROM queue')).toEqual([]);
    const [row] = query<{ seq: number; id: string; reason: string; row: string; payload: Buffer }>(
      'SELECT seq, id, reason, row, payload FROM queue_quarantine',
    );
    expect(row).toMatchObject({ seq: 5, id: 'a', reason: 'payload unreadable: test', payload: Buffer.from([5, 5, 5]) });
    expect(JSON.parse(row.row)).toEqual({
      severity: 1,
      bytes: 3,
      dedupe_key: 'k',
      created_at: T0 + 5,
      attempts: 1,
      occurrences: 1,
    });
    expect(store.quarantined()).toMatchObject([{ seq: 5, id: 'a', reason: 'payload unreadable: test' }]);
  });

  it('recovery quarantines rows it cannot read, BLOB columns included, and keeps them for inspection', async () => {
    const { store } = open();
    await store.commit([insert(record('good', 1))]);
    store.close();
    const db = new Database(path);
    db.prepare(
      `INSERT INTO queue (seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences, payload)
       VALUES (2, 'blobby', X'01', 3, X'6B', 0, 0, 1, X'00')`,
    ).run();
    db.close();

    const reopened = open();
    expect(reopened.records.map((r) => r.id)).toEqual(['good']);
    expect(reopened.report).toEqual({ quarantined: 1 });
    const [row] = query<{ id: string; reason: string; row: string }>('SELECT id, reason, row FROM queue_quarantine');
    expect(row.id).toBe('blobby');
    expect(row.reason).toBe('severity is not 0..3');
    expect(JSON.parse(row.row)).toMatchObject({ severity: "X'01'", dedupe_key: "X'6B'", bytes: 3 });
    expect(reopened.store.quarantined()).toMatchObject([{ seq: 2, id: 'blobby' }]);
  });
});
