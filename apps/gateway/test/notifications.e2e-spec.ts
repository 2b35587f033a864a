import { status } from '@grpc/grpc-js';
import { alerting } from '@app/proto';
import { scrapeMetrics, waitFor } from '@app/testing';
import {
  grpcError,
  openSse,
  queryClient,
  watch,
  type QueryClient,
  type SseClient,
} from './notifications/feed-clients.js';
import { adminFetch, incoming, ingest, startGateway, type Gateway } from './notifications/notifications-gateway.js';

// The gateway's read side over real HTTP and gRPC servers on 127.0.0.1: the
// list API, the SSE feed and the gRPC query service, over a store seeded as
// ingest would (see notifications/notifications-gateway.ts). Under load and at
// shutdown: notifications-under-load.e2e-spec.ts.

const { OpniSeverity } = alerting;
/** An hour ago, so that what the tests store live is newer (receivedAt never decreases along seq). */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

interface ListBody {
  notifications: { id: string }[];
  nextCursor: string | null;
}

interface ErrorBody {
  error: string;
  message: string;
}

/** GET as JSON; the body's type is the caller's expectation, checked by its assertions. */
async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await adminFetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

describe('gateway notifications read side', () => {
  let gateway: Gateway;
  let seeded: alerting.StoredNotification[];

  beforeAll(async () => {
    gateway = await startGateway();
    // s-0 … s-5: clusters a/b in turn; severities Info…Critical, Info, Warning; signals Custom…Latency, Custom; a second apart.
    seeded = [];
    for (let i = 0; i < 6; i++) {
      seeded.push(
        await ingest(
          gateway,
          incoming(`s-${i}`, {
            clusterId: i % 2 === 0 ? 'cluster-a' : 'cluster-b',
            severity: (i % 4) as alerting.OpniSeverity,
            goldenSignal: (i % 5) as alerting.GoldenSignal,
            receivedAt: new Date(T0 + i * 1_000),
          }),
        ),
      );
    }
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const seededIds = (keep: (i: number) => boolean) => [5, 4, 3, 2, 1, 0].filter(keep).map((i) => `s-${i}`);

  describe('GET /api/v1/notifications', () => {
    const list = async (query: string) => {
      const { status: code, body } = await getJson<ListBody>(`${gateway.http}/api/v1/notifications${query}`);
      expect(code).toBe(200);
      return body;
    };
    const listIds = async (query: string) => (await list(query)).notifications.map((n) => n.id);

    it('lists newest first as JSON: seq as a string, names for enums, RFC 3339 times', async () => {
      const body = await list('?limit=1');

      expect(body.notifications).toEqual([
        {
          seq: seeded[5].seq.toString(),
          clusterId: 'cluster-b',
          id: 's-5',
          title: 'title s-5',
          body: 'body s-5',
          severity: 'Warning',
          goldenSignal: 'Custom',
          receivedAt: new Date(T0 + 5_000).toISOString(),
          properties: { opni_uuid: 's-5', opni_clusterId: 'cluster-b' },
        },
      ]);
      expect(typeof body.nextCursor).toBe('string');
    });

    it('filters by cluster, severity and golden signal (repeatable, names in any case)', async () => {
      expect(await listIds('?cluster=cluster-b')).toEqual(seededIds((i) => i % 2 === 1));
      expect(await listIds('?cluster=cluster-a&cluster=cluster-b')).toEqual(seededIds(() => true));
      expect(await listIds('?severity=critical&severity=INFO')).toEqual(seededIds((i) => i % 4 === 0 || i % 4 === 3));
      expect(await listIds('?goldenSignal=latency&goldenSignal=Errors')).toEqual(seededIds((i) => i === 4 || i === 1));
      expect(await listIds('?cluster=cluster-a&severity=error')).toEqual(['s-2']);
    });

    it('filters by time: since inclusive, until exclusive, RFC 3339 with any offset', async () => {
      const at = (i: number) => new Date(T0 + i * 1_000).toISOString();
      expect(await listIds(`?since=${at(4)}`)).toEqual(['s-5', 's-4']);
      expect(await listIds(`?since=${at(1)}&until=${at(3)}`)).toEqual(['s-2', 's-1']);
      const plusTwoHours = new Date(T0 + 2 * 3_600_000 + 3_000)
        .toISOString()
        .replace('Z', '+02:00')
        .replace('.000', '');
      expect(await listIds(`?until=${encodeURIComponent(plusTwoHours)}`)).toEqual(['s-2', 's-1', 's-0']);
    });

    it('pages with limit and cursor, with no gaps or repeats, then nextCursor null', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body: ListBody = await list(
          `?cluster=cluster-a&cluster=cluster-b&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ids.push(...body.notifications.map((n) => n.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor !== null);

      expect(pages).toBe(2);
      expect(ids).toEqual(seededIds(() => true));
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['since=yesterday', 'since'],
      ['since=2030-02-30T00:00:00Z', 'since'],
      ['until=2030-01-01T00:00:00', 'until'],
      [`since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z`, 'until'],
      ['severity=urgent', 'severity'],
      ['goldenSignal=throughput', 'goldenSignal'],
      ['cluster=', 'cluster'],
      ['severiy=critical', 'severiy'],
    ])('answers ?%s with 400 naming %s', async (query, field) => {
      const { status: code, body } = await getJson<ErrorBody>(`${gateway.http}/api/v1/notifications?${query}`);

      expect(code).toBe(400);
      expect(body.error).toBe('invalid-argument');
      expect(body.message).toMatch(new RegExp(`^${field}: `));
    });
  });

  describe('GET /api/v1/notifications/stream (Server-Sent Events)', () => {
    let sse: SseClient | undefined;
    let baseline: number;
    beforeEach(() => (baseline = gateway.bus.subscribers));
    afterEach(async () => {
      sse?.close();
      sse = undefined;
      await waitFor(() => gateway.bus.subscribers === baseline, { description: 'the test subscription to end' });
    });

    async function subscribed(query = '', headers: Record<string, string> = {}): Promise<SseClient> {
      const before = gateway.bus.subscribers;
      sse = await openSse(`${gateway.http}/api/v1/notifications/stream${query}`, headers);
      expect(sse.response.status).toBe(200);
      await waitFor(() => gateway.bus.subscribers === before + 1, { description: 'the SSE subscription' });
      return sse;
    }

    it('sends each newly stored notification as `event: notification` with its seq as id, with anti-buffering headers', async () => {
      const client = await subscribed();
      expect(client.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(client.response.headers.get('cache-control')).toMatch(/no-cache/);
      expect(client.response.headers.get('x-accel-buffering')).toBe('no');

      const stored = await ingest(gateway, incoming('live-1', { severity: OpniSeverity.Error }));

      const [event] = await waitFor(() => client.events.length > 0 && client.events, { description: 'an SSE event' });
      expect(event.event).toBe('notification');
      expect(event.id).toBe(stored.seq.toString());
      expect(JSON.parse(event.data)).toMatchObject({ id: 'live-1', clusterId: 'cluster-live', severity: 'Error' });
    });

    it('applies cluster and minSeverity', async () => {
      const client = await subscribed('?cluster=cluster-x&cluster=cluster-y&minSeverity=error');

      await ingest(gateway, incoming('f-1', { clusterId: 'cluster-x', severity: OpniSeverity.Warning }));
      await ingest(gateway, incoming('f-2', { clusterId: 'cluster-z', severity: OpniSeverity.Critical }));
      await ingest(gateway, incoming('f-3', { clusterId: 'cluster-y', severity: OpniSeverity.Critical }));
      await ingest(gateway, incoming('f-4', { clusterId: 'cluster-x', severity: OpniSeverity.Error }));

      await waitFor(() => client.events.length >= 2, { description: 'two matching events' });
      expect(client.events.map((e) => JSON.parse(e.data).id)).toEqual(['f-3', 'f-4']);
    });

    it('does not send a duplicate again', async () => {
      const client = await subscribed('?cluster=cluster-d');
      await ingest(gateway, incoming('d-1', { clusterId: 'cluster-d' }));
      await ingest(gateway, incoming('d-1', { clusterId: 'cluster-d' }));
      await ingest(gateway, incoming('d-2', { clusterId: 'cluster-d' }));

      await waitFor(() => client.events.length >= 2, { description: 'two events' });
      expect(client.events.map((e) => JSON.parse(e.data).id)).toEqual(['d-1', 'd-2']);
    });

    it('sends a heartbeat comment while idle', async () => {
      const client = await subscribed('?cluster=nobody');
      await waitFor(() => client.comments.includes('heartbeat'), { description: 'a heartbeat comment' });
    });

    it('unsubscribes from the bus when the client disconnects, and counts subscribers by feed', async () => {
      const before = gateway.bus.subscribers;
      const client = await subscribed();
      const open = await scrapeMetrics(gateway.running.httpAddress);
      expect(open.value('gateway_notification_subscribers', { feed: 'sse' })).toBe(1);

      client.close();
      await waitFor(() => gateway.bus.subscribers === before, { description: 'the subscription to end' });
      const closed = await scrapeMetrics(gateway.running.httpAddress);
      expect(closed.value('gateway_notification_subscribers', { feed: 'sse' })).toBe(0);
    });

    it('resumes after Last-Event-ID: the stored ones after it, then live ones, none twice', async () => {
      const stored = [];
      for (const id of ['r-1', 'r-2', 'r-3'])
        stored.push(await ingest(gateway, incoming(id, { clusterId: 'cluster-r' })));
      await ingest(gateway, incoming('r-other', { clusterId: 'cluster-other' }));

      const client = await subscribed('?cluster=cluster-r', { 'Last-Event-ID': stored[0].seq.toString() });
      await waitFor(() => client.events.length >= 2, { description: 'the replayed events' });
      await ingest(gateway, incoming('r-4', { clusterId: 'cluster-r' }));
      await waitFor(() => client.events.length >= 3, { description: 'the live event' });

      expect(client.events.map((e) => JSON.parse(e.data).id)).toEqual(['r-2', 'r-3', 'r-4']);
      expect(client.events.map((e) => e.id)).toEqual([
        stored[1].seq.toString(),
        stored[2].seq.toString(),
        expect.any(String),
      ]);
    });

    it.each([
      ['?minSeverity=loud', {}, 'minSeverity'],
      ['?cluster=', {}, 'cluster'],
      ['?since=2030-01-01T00:00:00Z', {}, 'since'],
      ['', { 'Last-Event-ID': 'abc' }, 'Last-Event-ID'],
    ])('answers %s %j with 400 naming %s, subscribing nothing', async (query, headers, field) => {
      const before = gateway.bus.subscribers;
      const response = await adminFetch(`${gateway.http}/api/v1/notifications/stream${query}`, { headers });

      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(new RegExp(`^${field}: `));
      expect(gateway.bus.subscribers).toBe(before);
    });
  });

  describe('gRPC alerting.NotificationQueryService', () => {
    let client: QueryClient;

    beforeAll(() => {
      client = queryClient(gateway);
    });

    afterAll(() => client?.close());

    const request = (
      overrides: Partial<alerting.ListNotificationsRequest> = {},
    ): alerting.ListNotificationsRequest => ({
      clusterIds: ['cluster-a', 'cluster-b'],
      severities: [],
      goldenSignals: [],
      limit: 0,
      cursor: '',
      q: '',
      dedupeKey: '',
      order: alerting.NotificationOrder.NOTIFICATION_ORDER_NEWEST,
      ...overrides,
    });

    it('List: the stored notifications, newest first, as stored (seq as uint64, receivedAt as Timestamp)', async () => {
      const response = await client.list(request({ limit: 2 }));

      expect(response.notifications).toEqual([seeded[5], seeded[4]]);
      expect(response.nextCursor).not.toBe('');
    });

    it('List: filters and pages like the store', async () => {
      const first = await client.list(
        request({ severities: [OpniSeverity.Info, OpniSeverity.Critical], since: new Date(T0 + 1_000), limit: 1 }),
      );
      const second = await client.list(
        request({
          severities: [OpniSeverity.Info, OpniSeverity.Critical],
          since: new Date(T0 + 1_000),
          limit: 1,
          cursor: first.nextCursor,
        }),
      );

      expect([...first.notifications, ...second.notifications].map((n) => n.id)).toEqual(['s-4', 's-3']);
      expect(second.nextCursor).toBe('');
    });

    it.each([
      ['limit above 1000', { limit: 1001 }, 'limit'],
      ['a malformed cursor', { cursor: 'nope' }, 'cursor'],
      ['an unknown severity', { severities: [7 as alerting.OpniSeverity] }, 'severities'],
      ['an unknown golden signal', { goldenSignals: [9 as alerting.GoldenSignal] }, 'golden_signals'],
      ['an empty cluster id', { clusterIds: [''] }, 'cluster_ids'],
      ['a NUL in a cluster id', { clusterIds: ['a\0b'] }, 'cluster_ids'],
      ['until before since', { since: new Date(T0), until: new Date(T0 - 1) }, 'until'],
    ])('List: INVALID_ARGUMENT naming the field for %s', async (_label, overrides, field) => {
      const error = await grpcError(client.list(request(overrides)));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(new RegExp(`^${field}: `));
    });

    it('Watch: streams newly stored notifications that match, and unsubscribes when cancelled', async () => {
      const before = gateway.bus.subscribers;
      const stream = watch(client, { clusterIds: ['cluster-w'], minSeverity: OpniSeverity.Warning });
      await waitFor(() => gateway.bus.subscribers === before + 1, { description: 'the Watch subscription' });
      const metrics = await scrapeMetrics(gateway.running.httpAddress);
      expect(metrics.value('gateway_notification_subscribers', { feed: 'grpc' })).toBe(1);

      await ingest(gateway, incoming('w-1', { clusterId: 'cluster-w', severity: OpniSeverity.Info }));
      await ingest(gateway, incoming('w-2', { clusterId: 'cluster-v', severity: OpniSeverity.Critical }));
      const wanted = await ingest(gateway, incoming('w-3', { clusterId: 'cluster-w', severity: OpniSeverity.Warning }));
      await waitFor(() => stream.received.length > 0, { description: 'a watched notification' });

      expect(stream.received).toEqual([wanted]);
      stream.cancel();
      expect((await stream.ended).code).toBe(status.CANCELLED);
      await waitFor(() => gateway.bus.subscribers === before, { description: 'the Watch to unsubscribe' });
      const after = await scrapeMetrics(gateway.running.httpAddress);
      expect(after.value('gateway_notification_subscribers', { feed: 'grpc' })).toBe(0);
    });

    it('Watch: INVALID_ARGUMENT for an unknown min_severity, subscribing nothing', async () => {
      const before = gateway.bus.subscribers;
      const stream = watch(client, { minSeverity: 9 as alerting.OpniSeverity });

      const ended = await stream.ended;
      expect(ended.code).toBe(status.INVALID_ARGUMENT);
      expect(ended.details).toMatch(/^min_severity: /);
      expect(gateway.bus.subscribers).toBe(before);
    });
  });
});
