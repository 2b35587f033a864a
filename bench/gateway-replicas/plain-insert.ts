/**
 * The baseline: a plain client (the `postgres` library, one connection)
 * inserting the rows a gateway run stored — the same columns, payloads,
 * search words and indexes (the gateway's own schema migrations) — into a
 * fresh database, in batches of the size the gateways committed, one
 * multi-row INSERT per transaction, back to back. No feed lock, no
 * deduplication lookup, no gRPC, no agent: what the database alone does.
 */
import postgres from 'postgres';
import { GATEWAY_MIGRATIONS } from '../../apps/gateway/src/storage/postgres/gateway-migrations.js';
import { migrate } from '../../apps/gateway/src/storage/postgres/schema-migrations.js';
import { withConnection } from '@app/testing';
import { treeCpuSeconds } from './process-tree-cpu.js';

const COLUMNS = [
  'seq',
  'cluster_id',
  'id',
  'severity',
  'golden_signal',
  'received_at',
  'payload',
  'dedupe_key',
  'search_words',
];

export interface PlainInsertResult {
  rows: number;
  batch: number;
  ms: number;
  perSec: number;
  /** CPU seconds of the database server's processes and of this process (the client) while inserting. */
  databaseCpu: number;
  clientCpu: number;
  payloadBytes: number;
}

export async function plainInsertRun(
  sourceUrl: string,
  targetUrl: string,
  batch: number,
  postmasterPid: number,
): Promise<PlainInsertResult> {
  const rows = await withConnection(
    sourceUrl,
    (sql) => sql<Record<string, unknown>[]>`
      SELECT seq, cluster_id, id, severity, golden_signal, received_at, payload, dedupe_key,
             search_words::text AS search_words
      FROM notifications ORDER BY seq`,
  );
  const payloadBytes = rows.reduce((sum, row) => sum + (row.payload as Uint8Array).length, 0) / rows.length;
  const sql = postgres(targetUrl, { max: 1, onnotice: () => undefined });
  try {
    await migrate(sql, GATEWAY_MIGRATIONS);
    const batches: Record<string, unknown>[][] = [];
    for (let start = 0; start < rows.length; start += batch) batches.push(rows.slice(start, start + batch));
    await sql`SELECT 1`; // connected before the clock starts
    const databaseBefore = treeCpuSeconds(postmasterPid);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    for (const rowsOfBatch of batches) await sql`INSERT INTO notifications ${sql(rowsOfBatch, COLUMNS)}`;
    const ms = performance.now() - started;
    const client = process.cpuUsage(clientBefore);
    const databaseCpu = treeCpuSeconds(postmasterPid) - databaseBefore;
    const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM notifications`;
    if (count !== rows.length) throw new Error(`plain insert: ${count} rows in the table, not ${rows.length}`);
    return {
      rows: rows.length,
      batch,
      ms,
      perSec: (rows.length * 1000) / ms,
      databaseCpu,
      clientCpu: (client.user + client.system) / 1e6,
      payloadBytes,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
