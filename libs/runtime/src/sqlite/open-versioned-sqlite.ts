import Database from 'better-sqlite3';

export interface VersionedSqliteSpec {
  /** What the file holds, for messages, e.g. "queue". */
  kind: string;
  /** PRAGMA user_version of `schema`. */
  version: number;
  /** A table every version has: a file without it is new. */
  table: string;
  /** The layout as CREATE … IF NOT EXISTS statements: run on every open, so additive tables appear in old files. */
  schema: string;
  /** FULL: every commit is fsynced (survives power loss); NORMAL: the WAL is synced at checkpoints only. */
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /** Who reads it, for messages: "this agent", "this gateway". */
  reader: string;
  /** What the operator should do with a file of another version. */
  remedy: string;
}

/**
 * Opens (or creates) one of our SQLite files: WAL, the given durability, and
 * the schema version in PRAGMA user_version. A file written with another
 * version is refused with a message naming both versions, never misread.
 */
export function openVersionedSqlite(path: string, spec: VersionedSqliteSpec): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${spec.synchronous}`);
    db.pragma(`busy_timeout = ${spec.busyTimeoutMs ?? 5_000}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    // New: no such table and never versioned. Any other version is another layout (or another program's file).
    const isNew =
      version === 0 && db.prepare('SELECT count(*) FROM sqlite_schema WHERE name = ?').pluck().get(spec.table) === 0;
    if (!isNew && version !== spec.version) {
      throw new Error(
        `${path} has ${spec.kind} schema version ${version}, ${spec.reader} reads version ${spec.version}: ${spec.remedy}`,
      );
    }
    db.exec(spec.schema);
    db.pragma(`user_version = ${spec.version}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
