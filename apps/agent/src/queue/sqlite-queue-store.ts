import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { QueueRecord, QueueStore, QueueWrite, RecoveryReport } from './queue-store.js';

/** `fsync`: a commit survives power loss (synchronous=FULL); `os`: it survives a crash of the agent (NORMAL). */
export type Durability = 'fsync' | 'os';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue (
    seq         INTEGER PRIMARY KEY,   -- insertion order; the rowid, so recovery reads in order for free
    id          TEXT NOT NULL UNIQUE,
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
    id    TEXT NOT NULL REFERENCES queue(id) ON DELETE CASCADE
  );
  CREATE INDEX IF NOT EXISTS queue_alias_by_id ON queue_alias(id);
  CREATE TABLE IF NOT EXISTS queue_quarantine (
    seq            INTEGER,
    id             TEXT,
    reason         TEXT NOT NULL,
    row            TEXT NOT NULL,      -- the row's other columns as JSON, for inspection
    payload        BLOB,
    quarantined_at INTEGER NOT NULL
  );
`;

/** A column as a JSON value: JSON cannot hold BLOBs, so those become X'…' hex text. */
const jsonSafe = (column: string) =>
  `CASE typeof(${column}) WHEN 'blob' THEN 'X''' || hex(${column}) || '''' ELSE ${column} END`;

type Row = [
  seq: unknown,
  id: unknown,
  severity: unknown,
  bytes: unknown,
  dedupeKey: unknown,
  createdAt: unknown,
  attempts: unknown,
  occurrences: unknown,
];

const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

/** Why a row cannot be loaded, or undefined when it is fine. */
function rowProblem([seq, id, severity, bytes, dedupeKey, createdAt, attempts, occurrences]: Row): string | undefined {
  if (!isInt(seq, 0, 2 ** 40 - 1)) return 'seq is not an integer in [0, 2^40)';
  if (typeof id !== 'string' || id === '') return 'id is not a non-empty string';
  if (!isInt(severity, 0, 3)) return 'severity is not 0..3';
  if (!isInt(bytes, 0)) return 'bytes is not a non-negative integer';
  if (dedupeKey !== null && typeof dedupeKey !== 'string') return 'dedupe_key is not text';
  if (!isInt(createdAt, 0)) return 'created_at is not a timestamp';
  if (!isInt(attempts, 0)) return 'attempts is not a non-negative integer';
  if (!isInt(occurrences, 1)) return 'occurrences is not a positive integer';
  return undefined;
}

/** The agent queue in one SQLite file (WAL). Payloads stay on disk; recovery reads only the small columns. */
export class SqliteQueueStore implements QueueStore {
  private db!: Database.Database;
  private statements!: ReturnType<SqliteQueueStore['prepare']>;
  private applyBatch!: (writes: readonly QueueWrite[]) => void;

  constructor(
    private readonly path: string,
    private readonly durability: Durability = 'fsync',
  ) {}

  private openDatabase(): void {
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
  }

  private prepare(db: Database.Database) {
    return {
      scan: db
        .prepare(
          'SELECT seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences FROM queue ORDER BY seq',
        )
        .raw(true),
      aliases: db.prepare('SELECT alias, id FROM queue_alias').raw(true),
      insert: db.prepare(
        `INSERT INTO queue (seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences, payload)
         VALUES (@seq, @id, @severity, @bytes, @dedupeKey, @createdAt, @attempts, @occurrences, @payload)`,
      ),
      replace: db.prepare(
        'UPDATE queue SET severity = @severity, bytes = @bytes, occurrences = @occurrences, payload = @payload WHERE id = @id',
      ),
      delete: db.prepare('DELETE FROM queue WHERE id = ?'),
      alias: db.prepare('INSERT OR REPLACE INTO queue_alias (alias, id) VALUES (?, ?)'),
      attempts: db.prepare('UPDATE queue SET attempts = ? WHERE id = ?'),
      payload: db.prepare('SELECT payload FROM queue WHERE id = ?').pluck(true),
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
      seqOf: db.prepare('SELECT seq FROM queue WHERE id = ?').pluck(true),
    };
  }

  /**
   * Opens the file and streams the records. A file SQLite cannot read (not a
   * database, or damaged pages found while scanning) is moved aside and an
   * empty one started: a corrupt file must not become a crash loop. Records
   * visited before the damage showed are void then (`movedAside` is set).
   */
  recover(visit: (record: QueueRecord) => void, visitAlias: (alias: string, id: string) => void): RecoveryReport {
    try {
      this.open();
      return this.scan(visit, visitAlias);
    } catch (error) {
      if (!isCorruptionError(error)) throw error;
      this.close();
      const movedAside = this.moveAside();
      this.open();
      return { quarantined: 0, movedAside };
    }
  }

  private open(): void {
    this.openDatabase();
    this.statements = this.prepare(this.db);
    this.applyBatch = this.db.transaction((writes: readonly QueueWrite[]) => writes.forEach((w) => this.apply(w)));
  }

  private scan(visit: (record: QueueRecord) => void, visitAlias: (alias: string, id: string) => void): RecoveryReport {
    const report: RecoveryReport = { quarantined: 0 };
    const bad: { seq: unknown; reason: string }[] = [];
    for (const row of this.statements.scan.iterate() as IterableIterator<Row>) {
      const problem = rowProblem(row);
      if (problem) {
        bad.push({ seq: row[0], reason: problem });
        continue;
      }
      const [seq, id, severity, bytes, dedupeKey, createdAt, attempts, occurrences] = row as [
        number,
        string,
        number,
        number,
        string | null,
        number,
        number,
        number,
      ];
      visit({ seq, id, severity, bytes, dedupeKey: dedupeKey ?? undefined, createdAt, attempts, occurrences });
    }
    if (bad.length > 0) {
      const now = Date.now();
      this.db.transaction(() => {
        for (const { seq, reason } of bad) {
          this.statements.quarantineBySeq.run({ seq, reason, now });
          this.statements.deleteBySeq.run(seq);
        }
      })();
      report.quarantined = bad.length;
    }
    for (const [alias, id] of this.statements.aliases.iterate() as IterableIterator<[string, string]>)
      visitAlias(alias, id);
    return report;
  }

  private moveAside(): string {
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(this.path + suffix)) renameSync(this.path + suffix, aside + suffix);
    }
    return aside;
  }

  private apply(write: QueueWrite): void {
    const s = this.statements;
    switch (write.op) {
      case 'insert':
        s.insert.run({ ...write.record, dedupeKey: write.record.dedupeKey ?? null, payload: write.payload });
        break;
      case 'replace':
        s.replace.run({
          id: write.id,
          severity: write.severity,
          bytes: write.payload.length,
          occurrences: write.occurrences,
          payload: write.payload,
        });
        break;
      case 'delete':
        s.delete.run(write.id);
        break;
      case 'alias':
        s.alias.run(write.alias, write.id);
        break;
      case 'attempts':
        s.attempts.run(write.attempts, write.id);
        break;
    }
  }

  async commit(writes: readonly QueueWrite[]): Promise<void> {
    if (writes.length > 0) this.applyBatch(writes);
  }

  async payloads(ids: readonly string[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    for (const id of ids) {
      const payload = this.statements.payload.get(id) as Uint8Array | undefined;
      if (payload) found.set(id, payload);
    }
    return found;
  }

  async quarantine(id: string, reason: string): Promise<void> {
    const seq = this.statements.seqOf.get(id);
    if (seq === undefined) return;
    this.db.transaction(() => {
      this.statements.quarantineBySeq.run({ seq, reason, now: Date.now() });
      this.statements.deleteBySeq.run(seq);
    })();
  }

  /** Rows moved to quarantine so far (for inspection and tests). */
  quarantined(): { seq: number; id: string; reason: string }[] {
    return this.db.prepare('SELECT seq, id, reason FROM queue_quarantine ORDER BY quarantined_at').all() as {
      seq: number;
      id: string;
      reason: string;
    }[];
  }

  close(): void {
    if (this.db?.open) this.db.close();
  }
}

function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
}
