import type postgres from 'postgres';
import type { BootstrapTokenRecord, BootstrapTokenStore } from '../../enrolment/tokens/bootstrap-token-store.js';

interface TokenRow {
  id: string;
  secret_hash: string;
  created_at: Date;
  expires_at: Date | null;
  max_usages: number;
  usages: number;
  labels: Record<string, string>;
  revoked_at: Date | null;
}

/**
 * Bootstrap tokens in PostgreSQL, shared by every replica (table:
 * enrolment-migrations.ts). use() is one UPDATE whose WHERE clause is the
 * check: concurrent uses of one token queue on its row lock and each re-checks
 * the row it gets after the previous one committed (read committed re-evaluates
 * an UPDATE's WHERE on the newest row version), so K uses are granted K times.
 *
 * The pool is the caller's: close() does not end it.
 */
export class PostgresBootstrapTokenStore implements BootstrapTokenStore {
  constructor(private readonly sql: postgres.Sql) {}

  async get(id: string): Promise<BootstrapTokenRecord | undefined> {
    const [row] = await this.sql<TokenRow[]>`SELECT * FROM bootstrap_tokens WHERE id = ${id}`;
    return row && fromRow(row);
  }

  async list(): Promise<BootstrapTokenRecord[]> {
    const rows = await this.sql<TokenRow[]>`SELECT * FROM bootstrap_tokens ORDER BY id COLLATE "C"`;
    return rows.map(fromRow);
  }

  async put(record: BootstrapTokenRecord): Promise<void> {
    await this.sql`
      INSERT INTO bootstrap_tokens (id, secret_hash, created_at, expires_at, max_usages, usages, labels, revoked_at)
      VALUES (${record.id}, ${record.secretHash}, ${record.createdAt}, ${record.expiresAt ?? null},
              ${record.maxUsages}, ${record.usages}, ${this.sql.json(record.labels)}, ${record.revokedAt ?? null})
      ON CONFLICT (id) DO UPDATE SET
        secret_hash = excluded.secret_hash, created_at = excluded.created_at, expires_at = excluded.expires_at,
        max_usages = excluded.max_usages, usages = excluded.usages, labels = excluded.labels,
        revoked_at = excluded.revoked_at`;
  }

  async use(id: string, at: Date): Promise<BootstrapTokenRecord | undefined> {
    const [row] = await this.sql<TokenRow[]>`
      UPDATE bootstrap_tokens SET usages = usages + 1
      WHERE id = ${id}
        AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > ${at})
        AND (max_usages = 0 OR usages < max_usages)
      RETURNING *`;
    return row && fromRow(row);
  }

  async giveBack(id: string): Promise<void> {
    await this.sql`UPDATE bootstrap_tokens SET usages = greatest(usages - 1, 0) WHERE id = ${id}`;
  }

  async close(): Promise<void> {}
}

function fromRow(row: TokenRow): BootstrapTokenRecord {
  const record: BootstrapTokenRecord = {
    id: row.id,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    maxUsages: row.max_usages,
    usages: row.usages,
    labels: row.labels,
  };
  // Absent rather than undefined, as the SQLite adapter's JSON records have them.
  if (row.expires_at) record.expiresAt = row.expires_at;
  if (row.revoked_at) record.revokedAt = row.revoked_at;
  return record;
}
