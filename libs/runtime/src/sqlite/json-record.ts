import type Database from 'better-sqlite3';

/**
 * JSON for records kept as documents (SQLite rows now, JetStream KV entries
 * later): Dates and bigints come back as Dates and bigints, and strings that
 * merely look like dates stay strings.
 */
export function encodeJsonRecord(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key]; // before toJSON turned a Date into a string
    if (original instanceof Date) return { $date: original.getTime() };
    if (Buffer.isBuffer(original)) return { $bytes: original.toString('base64') };
    return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
  });
}

export function decodeJsonRecord<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      if ('$date' in v) return new Date((v as { $date: number }).$date);
      if ('$bigint' in v) return BigInt((v as { $bigint: string }).$bigint);
      if ('$bytes' in v) return Buffer.from((v as { $bytes: string }).$bytes, 'base64');
    }
    return v;
  }) as T;
}

/** A table of JSON records (encodeJsonRecord) keyed by one or more text columns: `(<keys>, record TEXT)`. */
export interface JsonRecordTable<T> {
  get(...key: string[]): T | undefined;
  /** Every record, in key order. */
  all(): T[];
  /** Creates or replaces the record under `key`. */
  put(record: T, ...key: string[]): void;
}

/** Prepared get / all / upsert statements for a table of JSON records (the table must exist). */
export function jsonRecordTable<T>(
  db: Database.Database,
  table: string,
  keyColumns: readonly string[],
): JsonRecordTable<T> {
  const keys = keyColumns.join(', ');
  const get = db
    .prepare(`SELECT record FROM ${table} WHERE ${keyColumns.map((c) => `${c} = ?`).join(' AND ')}`)
    .pluck();
  const all = db.prepare(`SELECT record FROM ${table} ORDER BY ${keys}`).pluck();
  const put = db.prepare(
    `INSERT INTO ${table} (${keys}, record) VALUES (${keyColumns.map(() => '?').join(', ')}, ?)
     ON CONFLICT (${keys}) DO UPDATE SET record = excluded.record`,
  );
  return {
    get: (...key) => {
      const text = get.get(...key) as string | undefined;
      return text === undefined ? undefined : decodeJsonRecord<T>(text);
    },
    all: () => (all.all() as string[]).map((text) => decodeJsonRecord<T>(text)),
    put: (record, ...key) => void put.run(...key, encodeJsonRecord(record)),
  };
}
