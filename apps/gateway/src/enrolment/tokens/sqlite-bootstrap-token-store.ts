import type Database from 'better-sqlite3';
import { jsonRecordTable, openVersionedSqlite, type JsonRecordTable } from '@app/runtime';
import type { BootstrapTokenRecord, BootstrapTokenStore } from './bootstrap-token-store.js';

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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
