import type postgres from 'postgres';
import { alerting } from '@app/proto';
import { searchIndexOf } from '../../notifications/store/notification-search-index.js';
import { tsvectorLiteral } from './postgres-notification-writes.js';
import type { Migration } from './schema-migrations.js';

/** Rows read per statement while indexing what was stored before migration 6. */
const BACKFILL_CHUNK = 2_000;

/**
 * The list API's `q`, `dedupeKey` and get-by-id (postgres-notification-search.ts):
 * each notification's search words as a tsvector of exactly those words
 * (quoted lexemes: no parser, no stemming, so both stores find the same
 * ones) under a GIN index, its opni_dedupe_key under a hash index (a key may
 * be longer than a B-tree entry may), and an index on id alone.
 */
export const NOTIFICATION_SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 6,
    name: 'notification search words, dedupe key and id indexes',
    up: `
      ALTER TABLE notifications ADD COLUMN dedupe_key text, ADD COLUMN search_words tsvector;
      CREATE INDEX notifications_by_dedupe_key ON notifications USING hash (dedupe_key) WHERE dedupe_key IS NOT NULL;
      CREATE INDEX notifications_by_id ON notifications (id);
      CREATE INDEX notifications_search ON notifications USING gin (search_words);
    `,
    backfill: backfillSearchIndex,
  },
];

/** Fills the new columns of the rows stored before: SQL cannot read their protobuf payloads. */
async function backfillSearchIndex(tx: postgres.TransactionSql): Promise<void> {
  for (let after = 0n; ;) {
    const rows = await tx<{ seq: string; payload: Uint8Array }[]>`
      SELECT seq, payload FROM notifications WHERE seq > ${after} ORDER BY seq LIMIT ${BACKFILL_CHUNK}`;
    if (rows.length === 0) return;
    const entries = rows.map((row) => searchIndexOf(alerting.Notification.decode(row.payload)));
    await tx`
      UPDATE notifications n SET dedupe_key = v.dedupe_key, search_words = v.words::tsvector
      FROM unnest(${rows.map((row) => row.seq)}::bigint[], ${entries.map((e) => e.dedupeKey)}::text[],
                  ${entries.map((e) => tsvectorLiteral(e.words))}::text[]) AS v (seq, dedupe_key, words)
      WHERE n.seq = v.seq`;
    after = BigInt(rows[rows.length - 1].seq);
  }
}
