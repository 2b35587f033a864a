import { status } from '@grpc/grpc-js';
import { alerting, serviceDefinitions } from '@app/proto';
import { scrapeMetrics, waitFor } from '@app/testing';
import { openSse, queryClient, watch, type QueryClient } from './notifications/feed-clients.js';
import { adminFetch, startGateway, type Gateway } from './notifications/notifications-gateway.js';

// The gateway's live feeds (SSE and gRPC Watch) under load, and at shutdown,
// each on a gateway of its own in this process.

const { OpniSeverity, GoldenSignal } = alerting;

describe('gateway live feeds under load', () => {
  let gateway: Gateway;
  let client: QueryClient;

  beforeAll(async () => {
    gateway = await startGateway();
    client = queryClient(gateway);
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
  });

  /**
   * Publishes `count` notifications the way ingest does, a group commit's
   * worth per event-loop turn; after each, waits for `caughtUp(published)` if given.
   */
  async function publishMany(
    count: number,
    firstSeq: number,
    caughtUp?: (published: number) => boolean,
  ): Promise<void> {
    for (let seq = firstSeq; seq < firstSeq + count; seq += 500) {
      for (let i = seq; i < Math.min(seq + 500, firstSeq + count); i++) {
        gateway.bus.publish({
          clusterId: 'cluster-load',
          id: `load-${i}`,
          notification: { title: `load ${i}`, body: 'x'.repeat(200), properties: {} },
          severity: OpniSeverity.Info,
          goldenSignal: GoldenSignal.Custom,
          receivedAt: new Date(),
          seq: BigInt(i),
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
      const published = Math.min(seq + 500, firstSeq + count) - firstSeq;
      if (caughtUp) await waitFor(() => caughtUp(published), { description: `clients to read ${published}` });
    }
  }

  it('keeps clients that keep up, however many notifications pass (more than the backlog limit)', async () => {
    const sse = await openSse(`${gateway.http}/api/v1/notifications/stream`);
    const stream = watch(client, {});
    try {
      await waitFor(() => gateway.bus.subscribers === 2, { description: 'both subscriptions' });
      await publishMany(25_000, 1, (n) => sse.events.length === n && stream.received.length === n);

      expect(sse.events.every((event) => event.event === 'notification')).toBe(true);
      expect(gateway.bus.subscribers).toBe(2);
    } finally {
      sse.close();
      stream.cancel();
    }
    await waitFor(() => gateway.bus.subscribers === 0, { description: 'both to unsubscribe' });
  });

  it('cuts off clients that stop reading, tells them, and counts it', async () => {
    const abort = new AbortController();
    const sse = await adminFetch(`${gateway.http}/api/v1/notifications/stream`, { signal: abort.signal });
    const method = serviceDefinitions['alerting.NotificationQueryService'].watch;
    const call = client.raw.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, {
      clusterIds: [],
      minSeverity: OpniSeverity.Info,
    });
    const ended = new Promise<{ code: number; details: string }>((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    call.pause(); // reads nothing
    try {
      await waitFor(() => gateway.bus.subscribers === 2, { description: 'both subscriptions' });
      await publishMany(150_000, 1_000_000);

      await waitFor(() => gateway.bus.subscribers === 0, { timeoutMs: 30_000, description: 'both to be cut off' });
      const metrics = await scrapeMetrics(gateway.running.httpAddress);
      expect(metrics.value('gateway_notification_subscriber_overflows_total', { feed: 'sse' })).toBe(1);
      expect(metrics.value('gateway_notification_subscriber_overflows_total', { feed: 'grpc' })).toBe(1);
      expect(metrics.value('gateway_notification_subscribers', { feed: 'sse' })).toBe(0);

      // What was sent before the cut still arrives, then the reason.
      const text = await sse.text();
      expect(text).toMatch(
        /event: overflow\ndata: \{"error":"resource-exhausted","message":"fell \d+ notifications behind/,
      );
      call.resume();
      call.on('data', () => {});
      const status_ = await ended;
      expect(status_.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(status_.details).toMatch(/fell \d+ notifications behind/);
    } finally {
      abort.abort();
      call.cancel();
    }
  });
});

describe('gateway shutdown with live subscribers', () => {
  it('ends SSE streams and Watch calls (UNAVAILABLE) promptly, and stops', async () => {
    const gateway = await startGateway();
    const client = queryClient(gateway);
    try {
      const sse = await openSse(`${gateway.http}/api/v1/notifications/stream`);
      const stream = watch(client, {});
      await waitFor(() => gateway.bus.subscribers === 2, { description: 'both subscriptions' });

      const startedAt = Date.now();
      await gateway.stop();

      expect(Date.now() - startedAt).toBeLessThan(2_000);
      await sse.ended;
      const ended = await stream.ended;
      expect(ended.code).toBe(status.UNAVAILABLE);
      expect(gateway.bus.subscribers).toBe(0);
    } finally {
      client.close();
    }
  });
});
