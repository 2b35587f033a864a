import type Database from 'better-sqlite3';

/** Seqs the index accepts: [0, 2^40). Rows outside are quarantined. */
export const SEQ_END = 2 ** 40;

/** The queue table's columns that recovery reads (never the payload). */
export const RECOVERY_COLUMNS = 'seq, id, severity, bytes, dedupe_key, created_at, attempts, occurrences';

/** Rows per page: large enough to amortise a call (or a message), small enough to stream. */
export const RECOVERY_PAGE_ROWS = 8192;

/**
 * One page of recovered rows as columns: typed arrays cross a worker boundary
 * without copying and leave nothing per row for the garbage collector.
 */
export interface RecoveryPage {
  count: number;
  seq: Float64Array;
  severity: Uint8Array;
  bytes: Float64Array;
  createdAt: Float64Array;
  attempts: Float64Array;
  occurrences: Float64Array;
  ids: string[];
  /** [row in this page, key] for the rows that have a dedupe key (few do). */
  dedupeKeys: [number, string][];
  /** Rows that cannot be loaded, with the reason. */
  bad: { seq: unknown; reason: string }[];
  /** The last seq read: where the next page starts. */
  last: number;
}

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
  if (!isInt(seq, 0, SEQ_END - 1)) return 'seq is not an integer in [0, 2^40)';
  if (typeof id !== 'string' || id === '') return 'id is not a non-empty string';
  if (!isInt(severity, 0, 3)) return 'severity is not 0..3';
  if (!isInt(bytes, 0)) return 'bytes is not a non-negative integer';
  if (dedupeKey !== null && typeof dedupeKey !== 'string') return 'dedupe_key is not text';
  if (!isInt(createdAt, 0)) return 'created_at is not a timestamp';
  if (!isInt(attempts, 0)) return 'attempts is not a non-negative integer';
  if (!isInt(occurrences, 1)) return 'occurrences is not a positive integer';
  return undefined;
}

/** Packs rows into a page, setting aside the ones that cannot be loaded. */
export function packRows(rows: readonly Row[]): RecoveryPage {
  const n = rows.length;
  const page: RecoveryPage = {
    count: 0,
    seq: new Float64Array(n),
    severity: new Uint8Array(n),
    bytes: new Float64Array(n),
    createdAt: new Float64Array(n),
    attempts: new Float64Array(n),
    occurrences: new Float64Array(n),
    ids: [],
    dedupeKeys: [],
    bad: [],
    last: n > 0 ? (rows[n - 1][0] as number) : -1,
  };
  for (const row of rows) {
    const problem = rowProblem(row);
    if (problem) {
      page.bad.push({ seq: row[0], reason: problem });
      continue;
    }
    const i = page.count++;
    page.seq[i] = row[0] as number;
    page.ids.push(row[1] as string);
    page.severity[i] = row[2] as number;
    page.bytes[i] = row[3] as number;
    if (row[4] !== null) page.dedupeKeys.push([i, row[4] as string]);
    page.createdAt[i] = row[5] as number;
    page.attempts[i] = row[6] as number;
    page.occurrences[i] = row[7] as number;
  }
  return page;
}

/** Reads the rows with seq in [0, 2^40) in seq order, a page at a time. */
export function* readPages(db: Database.Database): Generator<RecoveryPage> {
  const statement = db
    .prepare(`SELECT ${RECOVERY_COLUMNS} FROM queue WHERE seq > ? AND seq < ${SEQ_END} ORDER BY seq LIMIT ?`)
    .raw(true);
  for (let after = -1; ;) {
    const rows = statement.all(after, RECOVERY_PAGE_ROWS) as Row[];
    const page = packRows(rows);
    if (page.count + page.bad.length > 0) yield page;
    if (rows.length < RECOVERY_PAGE_ROWS) return;
    after = page.last;
  }
}

/** Rows whose seq the index cannot hold (negative, or 2^40 and over): all of them are bad. */
export function readOutOfRange(db: Database.Database): RecoveryPage {
  return packRows(
    db.prepare(`SELECT ${RECOVERY_COLUMNS} FROM queue WHERE seq < 0 OR seq >= ${SEQ_END}`).raw(true).all() as Row[],
  );
}

/** The buffers of a page, to transfer rather than copy. */
export function pageBuffers(page: RecoveryPage): ArrayBuffer[] {
  return [page.seq, page.severity, page.bytes, page.createdAt, page.attempts, page.occurrences].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
