import { join } from 'node:path';
import Database from 'better-sqlite3';
import { alerting } from '@app/proto';
import { freshStore, T0 } from './fixtures/notification-store-fixture.js';
import { SqliteNotificationStore } from './sqlite-notification-store.js';

const fixture = freshStore();

/** The layout of schema version 1, as gateways before the search index wrote it. */
const VERSION_1 = `
  CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, cluster_id TEXT NOT NULL, id TEXT NOT NULL, severity INTEGER NOT NULL,
    golden_signal INTEGER NOT NULL, received_at INTEGER NOT NULL, payload BLOB NOT NULL, UNIQUE (cluster_id, id)
  );
  CREATE INDEX notifications_by_cluster ON notifications (cluster_id, seq);
  CREATE INDEX notifications_by_severity ON notifications (severity, seq);
  CREATE INDEX notifications_by_golden_signal ON notifications (golden_signal, seq);
  CREATE INDEX notifications_by_received_at ON notifications (received_at);
  PRAGMA user_version = 1;
`;

/** A version 1 file holding `count` notifications, half of them with dedupe key "dk-even". */
function versionOneFile(path: string, count: number): void {
  const db = new Database(path);
  db.exec(VERSION_1);
  const insert = db.prepare(
    'INSERT INTO notifications (cluster_id, id, severity, golden_signal, received_at, payload) VALUES (?, ?, 1, 0, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const properties: Record<string, string> = { opni_uuid: `old-${i}` };
      if (i % 2 === 0) properties.opni_dedupe_key = 'dk-even';
      const title = i === 7 ? 'Disk full' : `Old number ${i}`;
      const payload = alerting.Notification.encode({ title, body: '', properties }).finish();
      insert.run('cluster-old', `old-${i}`, T0 + i, payload);
    }
  })();
  db.close();
}

describe('SqliteNotificationStore: upgrade from schema version 1', () => {
  it('indexes what a version 1 file holds, so that search, dedupe key and id find it; then writes version 2', async () => {
    const path = join(fixture.dir, 'version-1.db');
    versionOneFile(path, 12_345); // more than one chunk of the upgrade
    const store = new SqliteNotificationStore(path);
    try {
      expect((await store.list({ text: 'DISK' })).notifications.map((n) => n.id)).toEqual(['old-7']);
      expect((await store.list({ dedupeKey: 'dk-even', limit: 1000 })).notifications).toHaveLength(1000);
      expect(await store.countBySeverity({ dedupeKey: 'dk-even' })).toEqual(new Map([[1, 6_173]]));
      expect((await store.withId('old-12344')).map((n) => n.seq)).toEqual([12_345n]);
      await store.store({
        clusterId: 'cluster-new',
        id: 'new-1',
        notification: { title: 'Disk again', body: '', properties: { opni_uuid: 'new-1' } },
        severity: alerting.OpniSeverity.Error,
        goldenSignal: alerting.GoldenSignal.Custom,
        receivedAt: new Date(T0 + 60_000),
      });
      expect((await store.list({ text: 'disk' })).notifications.map((n) => n.id)).toEqual(['new-1', 'old-7']);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('leaves a newer file alone for the version check to refuse', async () => {
    await fixture.store.close();
    const db = new Database(fixture.path);
    db.pragma('user_version = 3');
    db.close();
    expect(() => new SqliteNotificationStore(fixture.path)).toThrow('has notification schema version 3');
    fixture.store = new SqliteNotificationStore(join(fixture.dir, 'other.db')); // for afterEach
  });
});
