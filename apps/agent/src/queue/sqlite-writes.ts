import Database from 'better-sqlite3';
import type { Committer } from '@app/runtime';
import type { QueueWrite } from './queue-store.js';
import { decodeBatch, type EncodedBatch } from './sqlite-batch-codec.js';
import { RECOVERY_COLUMNS } from './sqlite-recovery.js';

/**
 * `fsync`: a commit is acknowledged once SQLite has fsynced it (synchronous=FULL:
 * it survives power loss); `os`: once written to the OS (NORMAL: it survives a
 * crash of the agent, not of the machine).
 */
export type Durability = 'fsync' | 'os';

/** How long a connection waits for another one's write lock (quarantine vs. commits) before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** The pragmas every connection to the queue file uses. */
export function configureConnection(db: Database.Database, durability: Durability): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

export interface BatchWriter {
  /** Applies one batch in one transaction: all of it or, when it throws, none. */
  commit(writes: readonly QueueWrite[]): void;
  /**
   * Applies several batches in one transaction (one fsync), each all or
   * nothing on its own: the result holds each batch's error, undefined when it
   * was applied. When the transaction as a whole fails, it throws and none is.
   */
  commitEach(batches: readonly (readonly QueueWrite[])[]): (Error | undefined)[];
}

export function batchWriter(db: Database.Database): BatchWriter {
  const s = {
    // Positional parameters: binding an object by names costs a third more per row.
    insert: db.prepare(`INSERT INTO queue (${RECOVERY_COLUMNS}, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    replace: db.prepare('UPDATE queue SET severity = ?, bytes = ?, occurrences = ?, payload = ? WHERE seq = ?'),
    delete: db.prepare('DELETE FROM queue WHERE seq = ?'),
    alias: db.prepare('INSERT OR REPLACE INTO queue_alias (alias, seq) VALUES (?, ?)'),
    attempts: db.prepare('UPDATE queue SET attempts = ? WHERE seq = ?'),
  };
  const apply = (write: QueueWrite): void => {
    switch (write.op) {
      case 'insert': {
        const { seq, id, severity, bytes, dedupeKey, createdAt, attempts, occurrences } = write.record;
        s.insert.run(
          seq,
          id,
          severity,
          bytes,
          dedupeKey ?? null,
          createdAt,
          attempts,
          occurrences,
          blob(write.payload),
        );
        break;
      }
      case 'replace':
        s.replace.run(write.severity, write.payload.length, write.occurrences, blob(write.payload), write.seq);
        break;
      case 'delete':
        s.delete.run(write.seq);
        break;
      case 'alias':
        s.alias.run(write.alias, write.seq);
        break;
      case 'attempts':
        s.attempts.run(write.attempts, write.seq);
        break;
    }
  };
  // A transaction function called inside another one runs as a SAVEPOINT: a
  // batch that throws is rolled back alone and the others still commit.
  const commit = db.transaction((writes: readonly QueueWrite[]) => {
    for (const write of writes) apply(write);
  });
  const commitEach = db.transaction((batches: readonly (readonly QueueWrite[])[]) =>
    batches.map((writes) => {
      try {
        commit(writes);
        return undefined;
      } catch (error) {
        return error as Error;
      }
    }),
  );
  return { commit, commitEach };
}

/** better-sqlite3 binds Buffers as BLOBs; a plain Uint8Array gets a Buffer over the same memory. */
function blob(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * The queue's committer on its writer thread (SqliteWriterThread): its own
 * connection; the batches gathered while a commit ran go in one transaction,
 * each all or nothing on its own (a savepoint each).
 */
export function openCommitter({
  path,
  durability,
}: {
  path: string;
  durability: Durability;
}): Committer<EncodedBatch, undefined> {
  const db = new Database(path);
  configureConnection(db, durability);
  const writer = batchWriter(db);
  return {
    commitAll: (batches) => writer.commitEach(batches.map(decodeBatch)),
    close: () => db.close(),
  };
}
