import postgres from 'postgres';
import { alerting } from '@app/proto';
import { startPostgres, type PostgresCluster } from '@app/testing';
import { GATEWAY_MIGRATIONS } from './gateway-migrations.js';
import { PostgresNotificationStore } from './postgres-notification-store.js';
import { migrate } from './schema-migrations.js';

describe('migration 6: notifications stored before it are searchable after it', () => {
  let cluster: PostgresCluster;
  let sql: postgres.Sql;
  beforeAll(async () => {
    cluster = await startPostgres();
    sql = postgres(await cluster.createDatabase(), { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await cluster?.stop();
  });

  it('backfills the search words and dedupe keys from the payloads, in chunks', async () => {
    await migrate(
      sql,
      GATEWAY_MIGRATIONS.filter((migration) => migration.version < 6),
    );
    // As a gateway before migration 6 wrote them: no search words, no dedupe key column.
    const count = 4_321;
    const rows = Array.from({ length: count }, (_, i) => ({
      seq: BigInt(i + 1),
      cluster_id: 'cluster-old',
      id: `old-${i}`,
      severity: 2,
      golden_signal: 0,
      received_at: new Date(Date.UTC(2030, 0, 1) + i),
      payload: alerting.Notification.encode({
        title: i === 4_000 ? 'Straße gesperrt' : `old ${i}`,
        body: '',
        properties: i % 3 === 0 ? { opni_uuid: `old-${i}`, opni_dedupe_key: 'dk-3' } : { opni_uuid: `old-${i}` },
      }).finish(),
    }));
    for (let start = 0; start < count; start += 1_000)
      await sql`INSERT INTO notifications ${sql(rows.slice(start, start + 1_000))}`;
    await sql`UPDATE notification_feed SET last_seq = ${count}, last_received_at = ${rows[count - 1].received_at}`;

    // Up to 6 only: later migrations (other tables) are not this spec's business.
    expect(
      await migrate(
        sql,
        GATEWAY_MIGRATIONS.filter((migration) => migration.version <= 6),
      ),
    ).toEqual([6]);

    const store = new PostgresNotificationStore(sql);
    try {
      expect((await store.list({ text: 'STRASSE' })).notifications).toEqual([]);
      expect((await store.list({ text: 'straße' })).notifications.map((n) => n.id)).toEqual(['old-4000']);
      expect(await store.countBySeverity({ dedupeKey: 'dk-3' })).toEqual(new Map([[2, 1_441]]));
      expect((await store.withId('old-4320')).map((n) => n.seq)).toEqual([4_321n]);
      const [{ unindexed }] = await sql<{ unindexed: number }[]>`
        SELECT count(*)::int AS unindexed FROM notifications WHERE search_words IS NULL`;
      expect(unindexed).toBe(0);
    } finally {
      await store.close();
    }
  });
});
