import type Database from 'better-sqlite3';
import { jsonRecordTable, openVersionedSqlite, type JsonRecordTable } from '@app/runtime';
import type { BootstrapTokenRecord, BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';

/** PRAGMA user_version of the layout below; a file with another version is refused, not reinterpreted. */
export const TOKENS_SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS bootstrap_token (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
`;

/** Bootstrap tokens in the gateway's tokens.db (WAL, every write fsynced: a join is rare). */
export class SqliteBootstrapTokenStore implements BootstrapTokenStore {
  private readonly db: Database.Database;
  private readonly tokens: JsonRecordTable<BootstrapTokenRecord>;
  private readonly changeUsages: (id: string, change: (record: BootstrapTokenRecord) => number | undefined) => boolean;

  constructor(path: string) {
    this.db = openVersionedSqlite(path, {
      kind: 'tokens',
      reader: 'this gateway',
      version: TOKENS_SCHEMA_VERSION,
      table: 'bootstrap_token',
      schema: SCHEMA,
      synchronous: 'FULL',
      remedy: 'start the gateway version that wrote it, or move the file aside',
    });
    this.tokens = jsonRecordTable<BootstrapTokenRecord>(this.db, 'bootstrap_token', ['id']);
    // Read and write in one IMMEDIATE transaction: another process on the file waits for it (busy_timeout).
    const changeUsages = this.db.transaction(
      (id: string, change: (record: BootstrapTokenRecord) => number | undefined) => {
        const record = this.tokens.get(id);
        const usages = record && change(record);
        if (record === undefined || usages === undefined) return false;
        this.tokens.put({ ...record, usages }, id);
        return true;
      },
    );
    this.changeUsages = (id, change) => changeUsages.immediate(id, change);
  }

  async get(id: string): Promise<BootstrapTokenRecord | undefined> {
    return this.tokens.get(id);
  }

  async list(): Promise<BootstrapTokenRecord[]> {
    return this.tokens.all();
  }

  async put(record: BootstrapTokenRecord): Promise<void> {
    this.tokens.put(record, record.id);
  }

  async use(id: string, at: Date): Promise<BootstrapTokenRecord | undefined> {
    const used = this.changeUsages(id, (record) => (usable(record, at) ? record.usages + 1 : undefined));
    return used ? this.tokens.get(id) : undefined;
  }

  async giveBack(id: string): Promise<void> {
    this.changeUsages(id, (record) => Math.max(0, record.usages - 1));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Whether the token may be used at `at` (as the PostgreSQL adapter's UPDATE … WHERE decides). */
function usable(record: BootstrapTokenRecord, at: Date): boolean {
  return (
    !record.revokedAt &&
    (!record.expiresAt || record.expiresAt.getTime() > at.getTime()) &&
    (record.maxUsages === 0 || record.usages < record.maxUsages)
  );
}
