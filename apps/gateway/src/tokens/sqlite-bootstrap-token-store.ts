import type Database from 'better-sqlite3';
import { decodeJsonRecord, encodeJsonRecord, openVersionedSqlite } from '@app/runtime';
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
  private readonly statements;

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
    this.statements = {
      get: this.db.prepare<[string], { record: string }>('SELECT record FROM bootstrap_token WHERE id = ?'),
      list: this.db.prepare<[], { record: string }>('SELECT record FROM bootstrap_token ORDER BY id'),
      put: this.db.prepare<[string, string]>(
        'INSERT INTO bootstrap_token (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
      ),
    };
  }

  async get(id: string): Promise<BootstrapTokenRecord | undefined> {
    const row = this.statements.get.get(id);
    return row && decodeJsonRecord<BootstrapTokenRecord>(row.record);
  }

  async list(): Promise<BootstrapTokenRecord[]> {
    return this.statements.list.all().map((row) => decodeJsonRecord<BootstrapTokenRecord>(row.record));
  }

  async put(record: BootstrapTokenRecord): Promise<void> {
    this.statements.put.run(record.id, encodeJsonRecord(record));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
