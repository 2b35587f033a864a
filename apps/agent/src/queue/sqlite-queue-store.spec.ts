import { mkdtempSync, rmSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { QueueRecord, QueueWrite } from './queue-store.js';
import {
  SCHEMA_VERSION,
  SqliteQueueStore,
  type Durability,
  type SqliteQueueStoreOptions,
} from './sqlite-queue-store.js';

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
async function open(durability?: Durability, options: SqliteQueueStoreOptions = {}) {
  const store = new SqliteQueueStore(path, durability, options);
  stores.push(store);
  const records: QueueRecord[] = [];
  const aliases: [string, string][] = [];
  const visited: string[] = [];
  const report = await store.recover(
    (r) => {
      records.push({ ...r }); // the store reuses the object for the next row
      visited.push(`record ${r.id}`);
      return r.id.startsWith('refuse') ? 'refused by the test' : undefined;
    },
    (alias, id) => {
      aliases.push([alias, id]);
      visited.push(`alias ${alias}`);
    },
    (expected) => visited.push(`expect ${expected}`),
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

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteQueueStore', () => {
  it.each<Durability | undefined>([undefined, 'fsync', 'os'])(
    'durability %s: WAL, synchronous=NORMAL (the WAL is synced by the store), foreign keys on, schema version set',
    async (durability) => {
      const { store } = await open(durability);
      const db = (store as unknown as { db: Database.Database }).db;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    },
  );

  it.each<[Durability | undefined, boolean]>([
    [undefined, true],
    ['fsync', true],
    ['os', false],
  ])('durability %s: a commit waits for a sync of the WAL: %s', async (durability, syncs) => {
    const { store } = await open(durability);
    await store.commit([insert(record('a', 1))]);
    const walSync = (store as unknown as { walSync?: { isCurrent(): boolean; syncs: number } }).walSync;
    if (!syncs) {
      expect(walSync).toBeUndefined();
      return;
    }
    expect(walSync?.syncs).toBe(1);
    await store.commit([insert(record('b', 2))]);
    expect(walSync?.syncs).toBe(2);
    expect(walSync?.isCurrent()).toBe(true); // the file synced is the WAL SQLite writes to
  });

  it('batches handed over together are written in order; one that fails is rolled back alone', async () => {
    const { store } = await open();
    const outcomes = await Promise.allSettled([
      store.commit([insert(record('a', 1))]),
      store.commit([insert(record('b', 2)), insert(record('dup', 1))]), // seq 1 is taken: this batch fails
      store.commit([insert(record('c', 3)), { op: 'alias', alias: 'c2', seq: 3 }]),
      store.commit([{ op: 'delete', seq: 3 }]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(query('SELECT id FROM queue ORDER BY seq')).toEqual([{ id: 'a' }]);
    expect(query('SELECT alias FROM queue_alias')).toEqual([]); // deleted with c
  });

  it('commits made in many turns while syncs run all complete, in order, sharing syncs', async () => {
    const { store } = await open();
    const commits: Promise<void>[] = [];
    for (let seq = 1; seq <= 300; seq++) {
      commits.push(store.commit([insert(record(`n-${seq}`, seq))]));
      if (seq % 3 === 0) await nextTurn(); // commits arrive while a sync runs
    }
    await Promise.all(commits);
    expect(query<{ seq: number }>('SELECT seq FROM queue ORDER BY seq').map((r) => r.seq)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    const syncs = (store as unknown as { walSync: { syncs: number } }).walSync.syncs;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(300); // group commit: several commits per fdatasync
  });

  it('refuses a file written with another schema version, naming both, and leaves it untouched', async () => {
    const db = new Database(path);
    db.exec('CREATE TABLE queue (seq INTEGER PRIMARY KEY, id TEXT UNIQUE); PRAGMA user_version = 1');
    db.close();
    const store = new SqliteQueueStore(path);
    stores.push(store);
    await expect(
      store.recover(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toThrow(`${path} has queue schema version 1, this agent reads version ${SCHEMA_VERSION}`);
    expect(query('PRAGMA user_version')).toEqual([{ user_version: 1 }]);
  });

  it('reads more rows than one recovery page, in seq order', async () => {
    const { store } = await open();
    const n = 20_000; // > RECOVERY_PAGE
    await store.commit(Array.from({ length: n }, (_, i) => insert(record(`r${i}`, 2 * i + 1))));
    await store.close();
    const reopened = await open();
    expect(reopened.records.length).toBe(n);
    expect(reopened.records.every((r, i) => r.seq === 2 * i + 1 && r.id === `r${i}`)).toBe(true);
  });

  it('recovery on a worker thread visits the same records, aliases and bad rows as in-thread recovery', async () => {
    const { store } = await open();
    await store.commit([
      ...Array.from({ length: 9000 }, (_, i) =>
        insert(record(`w${i}`, i + 1, { severity: i % 4, dedupeKey: i % 7 === 0 ? `k${i}` : undefined })),
      ),
      { op: 'alias', alias: 'w0-again', seq: 1 },
    ]);
    await store.close();
    const db = new Database(path);
    db.prepare(`INSERT INTO queue (seq, id, severity, bytes, created_at, payload) VALUES (?, ?, 9, 1, 0, X'00')`).run(
      5000.5 * 2,
      'bad-severity',
    );
    db.close();
    const copy = join(dir, 'copy.db');
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(copy, readFileSync(path));

    const onWorker = await open(undefined, { recoveryWorkerRows: 0 });
    const inThreadStore = new SqliteQueueStore(copy, 'fsync', { recoveryWorkerRows: Number.MAX_SAFE_INTEGER });
    stores.push(inThreadStore);
    const inThread: QueueRecord[] = [];
    const inThreadAliases: [string, string][] = [];
    const report = await inThreadStore.recover(
      (r) => void inThread.push({ ...r }),
      (alias, id) => void inThreadAliases.push([alias, id]),
    );
    expect(onWorker.records).toHaveLength(9000);
    expect(onWorker.records).toEqual(inThread);
    expect(onWorker.records[7]).toEqual(record('w7', 8, { severity: 3, dedupeKey: 'k7' }));
    expect(onWorker.aliases).toEqual([['w0-again', 'w0']]);
    expect(inThreadAliases).toEqual(onWorker.aliases);
    expect(onWorker.report).toEqual({ quarantined: 1 });
    expect(report).toEqual({ quarantined: 1 });
    expect(onWorker.store.quarantined()).toMatchObject([
      { seq: 10001, id: 'bad-severity', reason: 'severity is not 0..3' },
    ]);
  });

  it('a file too damaged to read is moved aside by worker recovery too, and an empty queue starts', async () => {
    const { store } = await open();
    await store.commit(Array.from({ length: 3000 }, (_, i) => insert(record(`d${i}`, i + 1), new Uint8Array(200))));
    await store.close();
    const { openSync, writeSync, closeSync, statSync, readdirSync } = await import('node:fs');
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192); // keep the header and schema pages
    closeSync(fd);
    const reopened = await open(undefined, { recoveryWorkerRows: 0 });
    expect(reopened.report.movedAside).toMatch(/queue\.db\.corrupt-/);
    expect(reopened.records).toEqual(expect.any(Array)); // possibly some, void: the caller drops them
    expect(readdirSync(dir).filter((f) => f.startsWith('queue.db.corrupt-'))).toHaveLength(1);
    expect(query('SELECT count(*) AS n FROM queue')).toEqual([{ n: 0 }]);
  });

  it('quarantines a row recovery refuses (a duplicate id, say) and keeps the others', async () => {
    const { store } = await open();
    await store.commit([insert(record('a', 1)), insert(record('refuse-me', 2)), insert(record('b', 3))]);
    await store.close();
    const reopened = await open();
    expect(reopened.report).toEqual({ quarantined: 1 });
    expect(query('SELECT id FROM queue ORDER BY seq')).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(reopened.store.quarantined()).toMatchObject([{ seq: 2, id: 'refuse-me', reason: 'refused by the test' }]);
  });

  it('quarantines rows whose seq the index cannot hold (negative, or 2^40 and over)', async () => {
    const { store } = await open();
    await store.commit([insert(record('ok', 1))]);
    await store.close();
    const db = new Database(path);
    const add = db.prepare(
      `INSERT INTO queue (seq, id, severity, bytes, created_at, payload) VALUES (?, ?, 1, 1, 0, X'00')`,
    );
    add.run(-5, 'negative');
    add.run(2 ** 40, 'huge');
    db.close();
    const reopened = await open();
    expect(reopened.records.map((r) => r.id)).toEqual(['ok']);
    expect(reopened.report).toEqual({ quarantined: 2 });
    expect(
      reopened.store
        .quarantined()
        .map((q) => q.id)
        .sort(),
    ).toEqual(['huge', 'negative']);
  });

  it('recovers what was committed, in seq order, aliases after records', async () => {
    let { store } = await open();
    await store.commit([
      insert(record('b', 7, { severity: 3, dedupeKey: 'k' })),
      insert(record('a', 2, { attempts: 4, occurrences: 2 })),
      { op: 'alias', alias: 'b2', seq: 7 },
    ]);
    await store.close();
    const reopened = await open();
    expect(reopened.records).toEqual([
      record('a', 2, { attempts: 4, occurrences: 2 }),
      record('b', 7, { severity: 3, dedupeKey: 'k' }),
    ]);
    expect(reopened.aliases).toEqual([['b2', 'b']]);
    // First an upper bound on the records to come (seqs 2..7), so the queue can size its index once.
    expect(reopened.visited).toEqual(['expect 6', 'record a', 'record b', 'alias b2']);
    expect(reopened.report).toEqual({ quarantined: 0 });
    store = reopened.store;
    expect(await store.payloads([2, 7, 99])).toEqual(
      new Map([
        [2, Buffer.from([2, 2, 2])],
        [7, Buffer.from([7, 7, 7])],
      ]),
    );
  });

  it('applies replace, attempts and delete; deleting an entry deletes its aliases', async () => {
    const { store } = await open();
    await store.commit([insert(record('a', 0)), insert(record('b', 1)), { op: 'alias', alias: 'a2', seq: 0 }]);
    await store.commit([
      { op: 'replace', seq: 0, severity: 3, occurrences: 5, payload: new Uint8Array([9, 9, 9, 9, 9]) },
      { op: 'attempts', seq: 1, attempts: 2 },
    ]);
    expect(query('SELECT id, severity, bytes, occurrences, attempts FROM queue ORDER BY seq')).toEqual([
      { id: 'a', severity: 3, bytes: 5, occurrences: 5, attempts: 0 },
      { id: 'b', severity: 1, bytes: 3, occurrences: 1, attempts: 2 },
    ]);
    expect(await store.payloads([0])).toEqual(new Map([[0, Buffer.from([9, 9, 9, 9, 9])]]));
    await store.commit([{ op: 'delete', seq: 0 }]);
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'b' }]);
    expect(query('SELECT * FROM queue_alias')).toEqual([]);
  });

  it('a batch commits atomically: one failing write rolls back all of it', async () => {
    const { store } = await open();
    await store.commit([insert(record('a', 0))]);
    // (SqliteError is not an Error of the test's realm, so compare its code rather than use toThrow)
    expect(
      await failure(store.commit([insert(record('b', 1)), { op: 'delete', seq: 0 }, insert(record('c', 1))])),
    ).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'a' }]);
    // an alias of a seq that is not stored violates the foreign key: the whole batch fails
    expect(await failure(store.commit([insert(record('c', 3)), { op: 'alias', alias: 'x', seq: 42 }]))).toBe(
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    expect(query('SELECT id FROM queue')).toEqual([{ id: 'a' }]);
    await store.commit([]);
  });

  it('quarantine moves a row aside with its columns and payload; unknown seqs are ignored', async () => {
    const { store } = await open();
    await store.commit([insert(record('a', 5, { dedupeKey: 'k', attempts: 1 }))]);
    await store.quarantine(5, 'payload unreadable: test');
    await store.quarantine(77, 'nothing');
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
    const { store } = await open();
    await store.commit([insert(record('good', 1))]);
    await store.close();
    const db = new Database(path);
    db.prepare(
      `INSERT INTO queue (seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences, payload)
       VALUES (2, 'blobby', X'01', 3, X'6B', 0, 0, 1, X'00')`,
    ).run();
    db.close();

    const reopened = await open();
    expect(reopened.records.map((r) => r.id)).toEqual(['good']);
    expect(reopened.report).toEqual({ quarantined: 1 });
    const [row] = query<{ id: string; reason: string; row: string }>('SELECT id, reason, row FROM queue_quarantine');
    expect(row.id).toBe('blobby');
    expect(row.reason).toBe('severity is not 0..3');
    expect(JSON.parse(row.row)).toMatchObject({ severity: "X'01'", dedupe_key: "X'6B'", bytes: 3 });
    expect(reopened.store.quarantined()).toMatchObject([{ seq: 2, id: 'blobby' }]);
  });

  it('dead letters: newest first from their index, the total kept without counting again, and right after a reopen', async () => {
    const { store } = await open();
    await store.commit([1, 2, 3, 4].map((seq) => insert(record(`n${seq}`, seq))));
    expect((await store.deadLetters(10)).total).toBe(0);
    await store.deadLetter(2, 'refused');
    await store.deadLetter(4, 'refused');
    await store.deadLetter(4, 'refused again'); // no queued row any more: nothing moves, nothing counted
    await store.deadLetter(99, 'unknown'); // likewise
    const { total, items } = await store.deadLetters(10);
    expect(total).toBe(2);
    expect(items.map((item) => item.id).sort()).toEqual(['n2', 'n4']);
    expect((await store.deadLetters(1)).items).toHaveLength(1);
    // the view's query reads the index, not a sort of the table
    const plan = query<{ detail: string }>(
      `EXPLAIN QUERY PLAN SELECT id FROM queue_dead_letter ORDER BY dead_lettered_at DESC, seq DESC LIMIT 10`,
    );
    expect(plan.map((row) => row.detail).join('; ')).toMatch(/USING (COVERING )?INDEX queue_dead_letter_by_time/);
    await store.close();
    const reopened = await open();
    expect(reopened.records.map((r) => r.id)).toEqual(['n1', 'n3']);
    await reopened.store.deadLetter(1, 'refused');
    expect((await reopened.store.deadLetters(10)).total).toBe(3);
  });
});
