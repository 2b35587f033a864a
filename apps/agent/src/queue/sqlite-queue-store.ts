import { existsSync, renameSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openVersionedSqlite, startWorker, WalSync } from '@app/runtime';
import { alerting } from '@app/proto';
import type { Durability } from '../config/queue-durability.js';
import type { DeadLetter, QueueRecord, QueueStore, QueueWrite, RecoveryReport } from './queue-store.js';
import { readOutOfRange, readPages, type RecoveryPage } from './sqlite-recovery.js';
import { batchWriter, type BatchWriter } from './sqlite-writes.js';

export type { Durability } from '../config/queue-durability.js';

export interface SqliteQueueStoreOptions {
  /** Recover on a worker thread from this many rows on (tests lower it to cover that path). */
  recoveryWorkerRows?: number;
}

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const SCHEMA_VERSION = 2;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue (
    seq         INTEGER PRIMARY KEY,   -- insertion order; the rowid, so recovery reads in order for free
    id          TEXT NOT NULL,         -- unique: the agent's index refuses duplicates (no SQL index: one B-tree per write)
    severity    INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    dedupe_key  TEXT,
    created_at  INTEGER NOT NULL,      -- ms since the epoch
    attempts    INTEGER NOT NULL DEFAULT 0,
    occurrences INTEGER NOT NULL DEFAULT 1,
    payload     BLOB NOT NULL          -- alerting.Notification, protobuf
  );
  CREATE TABLE IF NOT EXISTS queue_alias (
    alias TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL REFERENCES queue(seq) ON DELETE CASCADE
  );
  CREATE INDEX IF NOT EXISTS queue_alias_by_seq ON queue_alias(seq);
  CREATE TABLE IF NOT EXISTS queue_quarantine (
    seq            INTEGER,
    id             TEXT,
    reason         TEXT NOT NULL,
    row            TEXT NOT NULL,      -- the row's other columns as JSON, for inspection
    payload        BLOB,
    quarantined_at INTEGER NOT NULL
  );
  -- Added within version 2: an additive table, created on open, readable by the agents before it.
  CREATE TABLE IF NOT EXISTS queue_dead_letter (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL,
    severity          INTEGER NOT NULL,
    reason            TEXT NOT NULL,     -- the gateway's message
    attempts          INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    dead_lettered_at  INTEGER NOT NULL,
    payload           BLOB NOT NULL
  );
  -- Added within version 2 (older agents keep it up to date, as SQLite does every index):
  -- the dead-letter view reads the newest rows from its end instead of sorting the table.
  CREATE INDEX IF NOT EXISTS queue_dead_letter_by_time ON queue_dead_letter(dead_lettered_at, seq);
  -- Added within version 2 (additive): values kept beside the queue, e.g. an event source's cursor.
  CREATE TABLE IF NOT EXISTS queue_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Added within version 2 (additive): ids resolved recently (bounded), so a source does not resend what was delivered.
  CREATE TABLE IF NOT EXISTS queue_resolved (
    seq INTEGER PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE
  );
`;

/** How long the connection waits for another one's write lock (the recovery reader's) before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** From this many rows on, recovery reads on a worker thread while the index is built (it costs ~50 ms to start). */
const RECOVERY_WORKER_ROWS = 50_000;

/** A column as a JSON value: JSON cannot hold BLOBs, so those become X'…' hex text. */
const jsonSafe = (column: string) =>
  `CASE typeof(${column}) WHEN 'blob' THEN 'X''' || hex(${column}) || '''' ELSE ${column} END`;

/** The agent queue in one SQLite file (WAL). Payloads stay on disk; recovery reads only the small columns. */
export class SqliteQueueStore implements QueueStore {
  private db!: Database.Database;
  private statements!: ReturnType<SqliteQueueStore['prepare']>;
  private writes!: BatchWriter;
  /** With `fsync` durability: what makes commits durable (created at the first commit, once the WAL exists). */
  private walSync: WalSync | undefined;
  /** fdatasyncs of WalSyncs closed before (the count survives a close and reopen of this store). */
  private syncsOfClosed = 0;
  private readonly recoveryWorkerRows: number;
  /**
   * Rows in queue_dead_letter: counted at the first look, then kept up to date by deadLetter()
   * (count(*) reads a whole index: ~20 ms per view at a million dead letters).
   */
  private deadLetterTotal: number | undefined;

  constructor(
    private readonly path: string,
    private readonly durability: Durability = 'fsync',
    options: SqliteQueueStoreOptions = {},
  ) {
    this.recoveryWorkerRows = options.recoveryWorkerRows ?? RECOVERY_WORKER_ROWS;
  }

  private openDatabase(): void {
    this.db = openVersionedSqlite(this.path, {
      kind: 'queue',
      reader: 'this agent',
      version: SCHEMA_VERSION,
      table: 'queue',
      schema: SCHEMA,
      // NORMAL in both modes: with `fsync`, commit() syncs the WAL itself, off the event loop (see WalSync).
      synchronous: 'NORMAL',
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      remedy: 'start the agent version that wrote it to drain it, or move the file aside',
    });
    this.db.pragma('foreign_keys = ON');
  }

  private prepare(db: Database.Database) {
    return {
      // Two subqueries, each one B-tree seek: max(seq) - min(seq) in one SELECT scans the whole table.
      span: db.prepare('SELECT (SELECT max(seq) FROM queue) - (SELECT min(seq) FROM queue) + 1').pluck(true),
      aliases: db.prepare('SELECT a.alias, q.id FROM queue_alias a JOIN queue q ON q.seq = a.seq').raw(true),
      payload: db.prepare('SELECT payload FROM queue WHERE seq = ?').pluck(true),
      quarantineBySeq: db.prepare(
        `INSERT INTO queue_quarantine (seq, id, reason, row, payload, quarantined_at)
         SELECT seq, CAST(id AS TEXT), @reason,
                json_object(${['severity', 'bytes', 'dedupe_key', 'created_at', 'attempts', 'occurrences']
                  .map((column) => `'${column}', ${jsonSafe(column)}`)
                  .join(', ')}),
                payload, @now
         FROM queue WHERE seq = @seq`,
      ),
      deleteBySeq: db.prepare('DELETE FROM queue WHERE seq = ?'),
      deadLetterBySeq: db.prepare(
        `INSERT OR REPLACE INTO queue_dead_letter (seq, id, severity, reason, attempts, created_at, dead_lettered_at, payload)
         SELECT seq, id, severity, @reason, attempts, created_at, @now, payload FROM queue WHERE seq = @seq`,
      ),
      readState: db.prepare('SELECT value FROM queue_state WHERE key = ?').pluck(true),
      readStatesBetween: db.prepare('SELECT key, value FROM queue_state WHERE key >= ? AND key < ?').raw(true),
      resolvedIds: db.prepare('SELECT id FROM queue_resolved ORDER BY seq').pluck(true),
      deadLetterCount: db.prepare('SELECT count(*) FROM queue_dead_letter').pluck(true),
      deadLetterExists: db.prepare('SELECT 1 FROM queue_dead_letter WHERE seq = ?').pluck(true),
      deadLetters: db.prepare(
        `SELECT id, severity, reason, attempts, created_at AS createdAt, dead_lettered_at AS deadLetteredAt, payload
         FROM queue_dead_letter ORDER BY dead_lettered_at DESC, seq DESC LIMIT ?`,
      ),
    };
  }

  /**
   * Opens the file and streams the records. A file SQLite cannot read (not a
   * database, or damaged pages found while scanning) is moved aside and an
   * empty one started: a corrupt file must not become a crash loop. Records
   * visited before the damage showed are void then (`movedAside` is set).
   */
  async recover(
    visit: (record: Readonly<QueueRecord>) => string | undefined,
    visitAlias: (alias: string, id: string) => void,
    expect?: (records: number) => void,
  ): Promise<RecoveryReport> {
    let report: RecoveryReport;
    try {
      this.open();
      report = await this.scan(visit, visitAlias, expect);
    } catch (error) {
      if (!isCorruptionError(error)) throw error;
      if (this.db?.open) this.db.close();
      const movedAside = this.moveAside();
      this.open();
      report = { quarantined: 0, movedAside };
    }
    return report;
  }

  private open(): void {
    this.deadLetterTotal = undefined;
    this.openDatabase();
    this.statements = this.prepare(this.db);
    this.writes = batchWriter(this.db);
  }

  private async scan(
    visit: (record: Readonly<QueueRecord>) => string | undefined,
    visitAlias: (alias: string, id: string) => void,
    expect?: (records: number) => void,
  ): Promise<RecoveryReport> {
    const bad: { seq: unknown; reason: string }[] = [];
    const record: QueueRecord = {
      id: '',
      seq: 0,
      severity: 0,
      bytes: 0,
      dedupeKey: undefined,
      createdAt: 0,
      attempts: 0,
      occurrences: 1,
    };
    const load = (page: RecoveryPage) => {
      bad.push(...page.bad);
      let keyed = 0;
      for (let i = 0; i < page.count; i++) {
        record.seq = page.seq[i];
        record.id = page.ids[i];
        record.severity = page.severity[i];
        record.bytes = page.bytes[i];
        record.createdAt = page.createdAt[i];
        record.attempts = page.attempts[i];
        record.occurrences = page.occurrences[i];
        record.dedupeKey = undefined;
        if (keyed < page.dedupeKeys.length && page.dedupeKeys[keyed][0] === i)
          record.dedupeKey = page.dedupeKeys[keyed++][1];
        const refused = visit(record);
        if (refused) bad.push({ seq: record.seq, reason: refused });
      }
    };
    // max(seq) - min(seq) + 1: at least the rows with a seq in range (deleted rows leave gaps), in O(log n).
    const span = (this.statements.span.get() as number | null) ?? 0;
    if (span > 0) expect?.(span);
    if (span >= this.recoveryWorkerRows) await this.readOnWorker(load);
    else for (const page of readPages(this.db)) load(page);
    load(readOutOfRange(this.db));
    if (bad.length > 0) {
      const now = Date.now();
      this.db.transaction(() => {
        for (const { seq, reason } of bad) {
          this.statements.quarantineBySeq.run({ seq, reason, now });
          this.statements.deleteBySeq.run(seq);
        }
      })();
    }
    for (const [alias, id] of this.statements.aliases.iterate() as IterableIterator<[string, string]>)
      visitAlias(alias, id);
    return { quarantined: bad.length };
  }

  /** Streams the pages from a worker thread (see sqlite-recovery.worker.ts) into `load`. */
  private readOnWorker(load: (page: RecoveryPage) => void): Promise<void> {
    const worker = startWorker(new URL('./sqlite-recovery.worker.js', import.meta.url), { path: this.path });
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        if (error) reject(error);
        else resolve();
      };
      worker.on(
        'message',
        (message: { page?: RecoveryPage; done?: true; error?: { message: string; code?: unknown } }) => {
          if (settled) return;
          try {
            if (message.page) {
              load(message.page);
              worker.postMessage('loaded'); // lets the worker read ahead again
            } else if (message.done) settle();
            else if (message.error)
              settle(Object.assign(new Error(message.error.message), { code: message.error.code }));
          } catch (error) {
            settle(error as Error);
          }
        },
      );
      worker.on('error', (error) => settle(error));
      worker.on('exit', (code) => settle(new Error(`queue recovery worker exited with code ${code} before finishing`)));
    });
  }

  private moveAside(): string {
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(this.path + suffix)) renameSync(this.path + suffix, aside + suffix);
    }
    return aside;
  }

  /**
   * Writes the batch now, on this thread, in one transaction (SQLite's part
   * costs a few µs per row); resolves once it is durable per the configured
   * mode: with `fsync`, after an fdatasync of the WAL that started after the
   * write, shared with every commit made meanwhile (group commit, see
   * WalSync); with `os`, at once.
   */
  async commit(writes: readonly QueueWrite[]): Promise<void> {
    if (writes.length === 0) return;
    this.writes.commit(writes);
    await this.durable();
  }

  /** Resolves once what was written so far is as durable as the configured mode promises. */
  private durable(): Promise<void> {
    if (this.durability === 'os') return Promise.resolve();
    return (this.walSync ??= new WalSync(this.db)).sync();
  }

  async payloads(seqs: readonly number[]): Promise<Map<number, Uint8Array>> {
    const found = new Map<number, Uint8Array>();
    for (const seq of seqs) {
      const payload = this.statements.payload.get(seq) as Uint8Array | undefined;
      if (payload) found.set(seq, payload);
    }
    return found;
  }

  async quarantine(seq: number, reason: string): Promise<void> {
    this.db.transaction(() => {
      this.statements.quarantineBySeq.run({ seq, reason, now: Date.now() });
      this.statements.deleteBySeq.run(seq);
    })();
    await this.durable();
  }

  async deadLetter(seq: number, reason: string): Promise<void> {
    const added = this.db.transaction(() => {
      const existed = this.statements.deadLetterExists.get(seq) !== undefined;
      const { changes } = this.statements.deadLetterBySeq.run({ seq, reason, now: Date.now() });
      this.statements.deleteBySeq.run(seq);
      return !existed && changes > 0;
    })();
    if (added && this.deadLetterTotal !== undefined) this.deadLetterTotal++;
    await this.durable();
  }

  async deadLetters(limit: number): Promise<{ total: number; items: DeadLetter[] }> {
    const rows = this.statements.deadLetters.all(limit) as (Omit<DeadLetter, 'notification'> & { payload: Buffer })[];
    const items = rows.map(({ payload, ...row }) => {
      let notification: alerting.Notification | undefined;
      try {
        notification = alerting.Notification.decode(payload);
      } catch {
        notification = undefined;
      }
      return { ...row, notification };
    });
    this.deadLetterTotal ??= this.statements.deadLetterCount.get() as number;
    return { total: this.deadLetterTotal, items };
  }

  async readState(key: string): Promise<string | undefined> {
    return (this.statements.readState.get(key) as string | undefined) ?? undefined;
  }

  async readStatesUnder(prefix: string): Promise<Map<string, string>> {
    // Keys under the prefix sort between it and it followed by the highest code point.
    const rows = this.statements.readStatesBetween.all(prefix, `${prefix}\u{10ffff}`) as [string, string][];
    return new Map(rows);
  }

  async resolvedIds(): Promise<string[]> {
    return this.statements.resolvedIds.all() as string[];
  }

  /** Rows moved to quarantine so far (for inspection and tests). */
  quarantined(): { seq: number; id: string; reason: string }[] {
    return this.db.prepare('SELECT seq, id, reason FROM queue_quarantine ORDER BY quarantined_at').all() as {
      seq: number;
      id: string;
      reason: string;
    }[];
  }

  syncs(): number {
    return this.syncsOfClosed + (this.walSync?.syncs ?? 0);
  }

  /** Closes the store once the syncs it was asked for are done. */
  async close(): Promise<void> {
    const walSync = this.walSync;
    this.walSync = undefined;
    this.syncsOfClosed += walSync?.syncs ?? 0;
    await walSync?.close();
    if (this.db?.open) this.db.close();
  }
}

function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
}
