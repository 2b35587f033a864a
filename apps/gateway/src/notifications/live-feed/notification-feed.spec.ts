import { alerting } from '@app/proto';
import { Registry } from 'prom-client';
import { NotificationBus } from './notification-bus.js';
import { NotificationFeed, type LiveSubscriber } from './notification-feed.js';
import { NotificationFeedMetrics } from './notification-feed-metrics.js';

const { OpniSeverity } = alerting;

function stored(seq: number, overrides: Partial<alerting.StoredNotification> = {}): alerting.StoredNotification {
  return {
    clusterId: 'cluster-a',
    id: `n-${seq}`,
    notification: { title: 't', body: 'b', properties: {} },
    severity: OpniSeverity.Info,
    goldenSignal: alerting.GoldenSignal.Custom,
    receivedAt: new Date(0),
    seq: BigInt(seq),
    ...overrides,
  };
}

/** A subscriber that records what it gets; `take()` acknowledges what was sent so far. */
function recorder() {
  const sent: alerting.StoredNotification[] = [];
  const pending: (() => void)[] = [];
  const ended: string[] = [];
  const subscriber: LiveSubscriber = {
    send: (n, done) => {
      sent.push(n);
      pending.push(done);
    },
    overflow: (message) => ended.push(`overflow: ${message}`),
    shutdown: () => ended.push('shutdown'),
  };
  const take = () => pending.splice(0).forEach((done) => done());
  return { subscriber, sent, ended, take };
}

describe('NotificationFeed', () => {
  let bus: NotificationBus;
  let registry: Registry;
  let feed: NotificationFeed;

  beforeEach(() => {
    bus = new NotificationBus();
    registry = new Registry();
    feed = new NotificationFeed(bus, new NotificationFeedMetrics(registry), { heartbeatMs: 1_000, maxBacklog: 3 });
  });

  async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  }

  it('delivers what matches the clusters and minimum severity', () => {
    const { subscriber, sent, take } = recorder();
    feed.subscribe('sse', { clusterIds: ['cluster-a', 'cluster-c'], minSeverity: OpniSeverity.Warning }, subscriber);

    bus.publish(stored(1, { severity: OpniSeverity.Info }));
    bus.publish(stored(2, { severity: OpniSeverity.Warning }));
    bus.publish(stored(3, { clusterId: 'cluster-b', severity: OpniSeverity.Critical }));
    bus.publish(stored(4, { clusterId: 'cluster-c', severity: OpniSeverity.Critical }));
    take();

    expect(sent.map((n) => n.seq)).toEqual([2n, 4n]);
  });

  it('counts subscribers by feed and unsubscribes from the bus, once however often ended', async () => {
    const end = feed.subscribe('grpc', { clusterIds: [], minSeverity: OpniSeverity.Info }, recorder().subscriber);
    expect(bus.subscribers).toBe(1);
    expect(await metric('gateway_notification_subscribers', { feed: 'grpc' })).toBe(1);
    expect(await metric('gateway_notification_subscribers', { feed: 'sse' })).toBe(0);

    end();
    end();
    expect(bus.subscribers).toBe(0);
    expect(await metric('gateway_notification_subscribers', { feed: 'grpc' })).toBe(0);
  });

  it('cuts off a subscriber more than maxBacklog behind, says why, and counts it', async () => {
    const slow = recorder();
    const fast = recorder();
    feed.subscribe('sse', { clusterIds: [], minSeverity: OpniSeverity.Info }, slow.subscriber);
    feed.subscribe('sse', { clusterIds: [], minSeverity: OpniSeverity.Info }, fast.subscriber);

    for (let seq = 1; seq <= 5; seq++) {
      bus.publish(stored(seq));
      fast.take();
    }

    expect(slow.sent.map((n) => n.seq)).toEqual([1n, 2n, 3n]);
    expect(slow.ended).toEqual([expect.stringMatching(/^overflow: fell 3 notifications behind/)]);
    expect(fast.sent).toHaveLength(5);
    expect(fast.ended).toEqual([]);
    expect(bus.subscribers).toBe(1);
    expect(await metric('gateway_notification_subscriber_overflows_total', { feed: 'sse' })).toBe(1);
    expect(await metric('gateway_notification_subscribers', { feed: 'sse' })).toBe(1);
  });

  it('keeps a subscriber that takes what it is sent, however much', () => {
    const steady = recorder();
    feed.subscribe('sse', { clusterIds: [], minSeverity: OpniSeverity.Info }, steady.subscriber);
    for (let seq = 1; seq <= 100; seq++) {
      bus.publish(stored(seq));
      steady.take();
    }
    expect(steady.sent).toHaveLength(100);
    expect(steady.ended).toEqual([]);
  });

  it('ends every subscription when the module is destroyed, and any opened after that at once', async () => {
    const a = recorder();
    const b = recorder();
    feed.subscribe('sse', { clusterIds: [], minSeverity: OpniSeverity.Info }, a.subscriber);
    feed.subscribe('grpc', { clusterIds: [], minSeverity: OpniSeverity.Info }, b.subscriber);

    feed.onModuleDestroy();
    expect([a.ended, b.ended]).toEqual([['shutdown'], ['shutdown']]);
    expect(bus.subscribers).toBe(0);

    const late = recorder();
    feed.subscribe('sse', { clusterIds: [], minSeverity: OpniSeverity.Info }, late.subscriber);
    await Promise.resolve();
    expect(late.ended).toEqual(['shutdown']);
    expect(bus.subscribers).toBe(0);
  });
});
