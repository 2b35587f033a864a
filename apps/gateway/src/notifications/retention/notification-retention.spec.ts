import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alerting } from '@app/proto';
import { captureNestLogs, waitFor } from '@app/testing';
import { Registry } from 'prom-client';
import { RetentionMetrics } from './retention-metrics.js';
import { NotificationRetention, type RetentionSchedule } from './notification-retention.js';
import { SqliteNotificationStore } from '../../storage/sqlite/sqlite-notification-store.js';

const T0 = Date.UTC(2030, 0, 1);
const logged = captureNestLogs();

describe('NotificationRetention', () => {
  let dir: string;
  let store: SqliteNotificationStore;
  let registry: Registry;
  let now: number;
  let retention: NotificationRetention | undefined;

  beforeEach(async () => {
    logged.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'gateway-retention-'));
    store = new SqliteNotificationStore(join(dir, 'notifications.db'));
    registry = new Registry();
    now = T0 + 100_000;
    // n-0 … n-9, received 10 s apart from T0.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.store({
          clusterId: 'cluster-a',
          id: `n-${i}`,
          notification: { title: 't', body: 'b', properties: {} },
          severity: alerting.OpniSeverity.Info,
          goldenSignal: alerting.GoldenSignal.Custom,
          receivedAt: new Date(T0 + i * 10_000),
        }),
      ),
    );
  });

  afterEach(async () => {
    await retention?.onModuleDestroy();
    retention = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(schedule: RetentionSchedule): NotificationRetention {
    retention = new NotificationRetention(store, schedule, { now: () => now }, new RetentionMetrics(registry));
    retention.onApplicationBootstrap();
    return retention;
  }

  async function pruned(reason: string): Promise<number | undefined> {
    const values = (await registry.getSingleMetric('gateway_notifications_pruned_total')?.get())?.values ?? [];
    return values.find((v) => v.labels.reason === reason)?.value;
  }

  const remaining = async () => (await store.list({})).notifications.map((n) => n.id);

  it('prunes at start, by age and then by count, counting and logging each', async () => {
    start({ policy: { maxAgeMs: 55_000, maxCount: 3 }, intervalMs: 3_600_000 });

    await waitFor(async () => (await pruned('count')) === 2, { description: 'the start-up prune' });
    expect(await pruned('age')).toBe(5);
    expect(await remaining()).toEqual(['n-9', 'n-8', 'n-7']);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'log',
        fields: expect.objectContaining({ event: 'notifications-pruned', byAge: 5, byCount: 2 }),
      }),
    );
  });

  it('prunes again on the interval, by the clock it is given', async () => {
    start({ policy: { maxAgeMs: 95_000, maxCount: 0 }, intervalMs: 20 });
    await waitFor(async () => (await pruned('age')) === 1, { description: 'the start-up prune' });

    now += 30_000;
    await waitFor(async () => (await pruned('age')) === 4, { description: 'an interval prune' });
    expect(await remaining()).toEqual(['n-9', 'n-8', 'n-7', 'n-6', 'n-5', 'n-4']);
    expect(await pruned('count')).toBe(0);
  });

  it('logs nothing when nothing was due', async () => {
    const report = await start({ policy: { maxAgeMs: 1_000_000, maxCount: 100 }, intervalMs: 3_600_000 }).run();

    expect(report).toEqual({ age: 0, count: 0 });
    expect(logged.filter((line) => (line.fields as { event?: string }).event === 'notifications-pruned')).toEqual([]);
  });

  it('logs a failed run as an error and keeps running', async () => {
    await store.close(); // every store call fails now
    const report = await start({ policy: { maxAgeMs: 1, maxCount: 0 }, intervalMs: 3_600_000 }).run();

    expect(report).toEqual({ age: 0, count: 0 });
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ event: 'notifications-prune-failed' }),
      }),
    );
  });
});
