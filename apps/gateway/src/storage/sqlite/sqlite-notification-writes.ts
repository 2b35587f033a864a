import Database from 'better-sqlite3';
import type { Committer } from '@app/runtime';

/** How long the writer's connection waits for another one's write lock (retention pruning) before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** A notification to insert: what store() computed on the owner's thread. */
export interface NotificationRow {
  clusterId: string;
  id: string;
  severity: number;
  goldenSignal: number;
  /** ms since the epoch, already kept non-decreasing by the store. */
  receivedAt: number;
  /** alerting.Notification, protobuf. */
  payload: Uint8Array;
  /** Its opni_dedupe_key, or null. */
  dedupeKey: string | null;
  /** The text `q` searches (searchTextOf), which FTS5 splits into words. */
  text: string;
}

/**
 * Rows in a form that crosses to the writer thread cheaply: numbers in one
 * Float64Array, strings in one array, payloads in one buffer, the buffers
 * transferred rather than copied.
 */
export interface EncodedRows {
  numbers: Float64Array;
  strings: string[];
  payloads: ArrayBuffer;
}

/** Numbers per row: severity, golden signal, received at, payload offset, payload length. */
const WIDTH = 5;
/** Strings per row: cluster id, id, dedupe key ('' for none), searched text. */
const STRINGS = 4;

export function encodeRows(rows: readonly NotificationRow[]): EncodedRows {
  let payloadBytes = 0;
  for (const row of rows) payloadBytes += row.payload.byteLength;
  const numbers = new Float64Array(rows.length * WIDTH);
  const strings: string[] = new Array(rows.length * STRINGS);
  const payloads = new ArrayBuffer(payloadBytes);
  const bytes = new Uint8Array(payloads);
  let offset = 0;
  rows.forEach((row, i) => {
    const n = i * WIDTH;
    numbers[n] = row.severity;
    numbers[n + 1] = row.goldenSignal;
    numbers[n + 2] = row.receivedAt;
    numbers[n + 3] = offset;
    numbers[n + 4] = row.payload.byteLength;
    bytes.set(row.payload, offset);
    offset += row.payload.byteLength;
    strings[i * STRINGS] = row.clusterId;
    strings[i * STRINGS + 1] = row.id;
    strings[i * STRINGS + 2] = row.dedupeKey ?? '';
    strings[i * STRINGS + 3] = row.text;
  });
  return { numbers, strings, payloads };
}

/** The buffers to transfer with encoded rows. */
export function rowBuffers(rows: EncodedRows): ArrayBuffer[] {
  return [rows.numbers.buffer as ArrayBuffer, rows.payloads];
}

/**
 * Inserts each set of rows, all or nothing on its own (a savepoint each), the
 * sets in one transaction: one fsync with synchronous=FULL. A set's reply
 * holds each row's seq, or 0 where (cluster, id) was stored already (nothing
 * was written for it).
 */
export function notificationCommitter(db: Database.Database): Committer<EncodedRows, Float64Array> {
  const insert = db.prepare(
    `INSERT INTO notifications (cluster_id, id, severity, golden_signal, received_at, payload, dedupe_key)
     VALUES (?, ?, ?, ?, ?, ?, nullif(?, '')) ON CONFLICT (cluster_id, id) DO NOTHING`,
  );
  const index = db.prepare('INSERT INTO notifications_text (rowid, words) VALUES (?, ?)');
  const insertAll = db.transaction(({ numbers, strings, payloads }: EncodedRows): Float64Array => {
    const seqs = new Float64Array(strings.length / STRINGS);
    for (let i = 0; i < seqs.length; i++) {
      const n = i * WIDTH;
      const s = i * STRINGS;
      const payload = Buffer.from(payloads, numbers[n + 3], numbers[n + 4]);
      const { changes, lastInsertRowid } = insert.run(
        strings[s],
        strings[s + 1],
        numbers[n],
        numbers[n + 1],
        numbers[n + 2],
        payload,
        strings[s + 2],
      );
      seqs[i] = changes === 0 ? 0 : Number(lastInsertRowid);
      // In the same savepoint: a notification is searchable exactly when it is stored.
      if (changes !== 0) index.run(lastInsertRowid, strings[s + 3]);
    }
    return seqs;
  });
  // A transaction function called inside another one runs as a SAVEPOINT: a set that fails is rolled back alone.
  const commitAll = db.transaction((sets: EncodedRows[]) =>
    sets.map((rows) => {
      try {
        return insertAll(rows);
      } catch (error) {
        return error as Error;
      }
    }),
  );
  return { commitAll, close: () => db.close() };
}

/**
 * The committer on the writer thread (SqliteWriterThread): its own connection
 * to the file the store opened (and versioned) first, synchronous=FULL.
 */
export function openCommitter({ path }: { path: string }): Committer<EncodedRows, Float64Array> {
  const db = new Database(path);
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return notificationCommitter(db);
}
