import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NOTIFICATION_LIMITS } from '@app/notification-model';
import { alerting } from '@app/proto';
import { FailedPreconditionError, InvalidArgumentError } from '@app/runtime';
import { Registry } from 'prom-client';
import { ClusterRegistry } from '../clusters/cluster-registry.js';
import { SqliteClusterStore } from '../storage/sqlite/sqlite-cluster-store.js';
import { NotificationBus } from '../notifications/live-feed/notification-bus.js';
import { SqliteNotificationStore } from '../storage/sqlite/sqlite-notification-store.js';
import { IngestMetrics } from './ingest-metrics.js';
import { NotificationIngest } from './notification-ingest.js';

describe('NotificationIngest (real SQLite store, real bus)', () => {
  let dir: string;
  let store: SqliteNotificationStore;
  let clusterStore: SqliteClusterStore;
  let registry: Registry;
  let published: alerting.StoredNotification[];
  let ingest: NotificationIngest;
  const now = Date.parse('2026-11-29T07:00:00Z');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-'));
    store = new SqliteNotificationStore(join(dir, 'notifications.db'));
    clusterStore = new SqliteClusterStore(join(dir, 'clusters.db'));
    const clusters = new ClusterRegistry(clusterStore, { now: () => now });
    // Alerting is installed for prod and staging; not for dev.
    for (const cluster of ['prod', 'staging']) {
      await clusters.updateNodeConfig(cluster, 'alerting', (config) => ({ enabled: true, spec: config.spec }));
    }
    registry = new Registry();
    const bus = new NotificationBus();
    published = [];
    bus.subscribe((stored) => published.push(stored));
    ingest = new NotificationIngest(
      store,
      bus,
      new IngestMetrics(registry),
      DEFAULT_NOTIFICATION_LIMITS,
      { now: () => now },
      clusters,
    );
  });
  afterEach(async () => {
    await store.close();
    await clusterStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const counted = async (outcome: string) =>
    (await registry.getSingleMetric('gateway_notifications_total')!.get()).values
      .filter((v) => v.labels.outcome === outcome)
      .reduce((sum, v) => sum + v.value, 0);

  const pushed = (id: string, properties: Record<string, string> = {}): alerting.Notification => ({
    title: `title ${id}`,
    body: 'body',
    properties: { opni_uuid: id, ...properties },
  });

  it("stores a new notification with the session's cluster stamped on it, publishes it once, and counts it", async () => {
    const { stored, duplicate } = await ingest.ingest(
      'prod',
      pushed('n1', { opni_severity: 'critical', opni_clusterId: 'forged', team: 'db' }),
    );
    expect(duplicate).toBe(false);
    expect(stored).toMatchObject({
      clusterId: 'prod',
      id: 'n1',
      severity: alerting.OpniSeverity.Critical,
      goldenSignal: alerting.GoldenSignal.Custom,
      receivedAt: new Date(now),
    });
    expect(stored.notification!.properties).toEqual({
      opni_uuid: 'n1',
      opni_severity: 'Critical',
      opni_goldenSignal: 'Custom',
      opni_clusterId: 'prod',
      team: 'db',
    });
    expect(published.map((p) => p.id)).toEqual(['n1']);
    expect((await store.list({})).notifications.map((n) => n.id)).toEqual(['n1']);
    expect(await counted('received')).toBe(1);
    expect(await counted('stored')).toBe(1);
  });

  it('refuses a push from a cluster without alerting installed (FAILED_PRECONDITION): nothing stored or published', async () => {
    const error = await ingest.ingest('dev', pushed('n1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect((error as Error).message).toBe('alerting is not installed for cluster dev');
    expect((await store.list({})).notifications).toEqual([]);
    expect(published).toEqual([]);
  });

  it('recognises a repeat of (cluster, id): nothing new stored or published, counted as deduplicated', async () => {
    const first = await ingest.ingest('prod', pushed('n1'));
    const again = await ingest.ingest('prod', { ...pushed('n1'), title: 'changed on retry' });
    expect(again).toMatchObject({
      duplicate: true,
      stored: { seq: first.stored.seq, notification: { title: 'title n1' } },
    });
    expect(published).toHaveLength(1);
    expect(await counted('deduplicated')).toBe(1);
    // The same id from another cluster is another notification.
    expect((await ingest.ingest('staging', pushed('n1'))).duplicate).toBe(false);
  });

  it.each([
    ['no opni_uuid', { title: 't', body: 'b', properties: {} }, 'notification.properties["opni_uuid"]'],
    [
      'a blank opni_uuid',
      { title: 't', body: 'b', properties: { opni_uuid: ' ' } },
      'notification.properties["opni_uuid"]',
    ],
    ['a blank title', { title: ' ', body: 'b', properties: { opni_uuid: 'x' } }, 'notification.title'],
    [
      'an unknown severity',
      { title: 't', body: 'b', properties: { opni_uuid: 'x', opni_severity: 'loud' } },
      'notification.properties["opni_severity"]',
    ],
  ])(
    'refuses a notification with %s, naming the field, storing and publishing nothing',
    async (_why, notification, field) => {
      const error = await ingest.ingest('prod', notification).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe(field);
      expect((await store.list({})).notifications).toEqual([]);
      expect(published).toEqual([]);
      expect(await counted('rejected')).toBe(1);
    },
  );
});
