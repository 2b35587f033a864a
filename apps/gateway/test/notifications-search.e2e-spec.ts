import { status } from '@grpc/grpc-js';
import type { NotificationCountsJson, NotificationJson, NotificationListJson } from '@app/admin-api';
import { alerting } from '@app/proto';
import { grpcError, queryClient, type QueryClient } from './notifications/feed-clients.js';
import { adminFetch, incoming, ingest, startGateway, type Gateway } from './notifications/notifications-gateway.js';

// The list API's text search (q), dedupe key filter and most-severe-first
// order (over HTTP and gRPC List), and a notification by id, over real HTTP
// and gRPC servers on 127.0.0.1 and
// the gateway's SQLite store (the same store contract runs on PostgreSQL in
// apps/gateway/src/storage/). The filters and paging of notifications.e2e-spec.ts
// are not repeated here.

const { OpniSeverity, NotificationOrder } = alerting;
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

interface ErrorBody {
  error: string;
  message: string;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await adminFetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

describe('gateway notifications: search, dedupe key, order, by id', () => {
  let gateway: Gateway;
  const stored: Record<string, alerting.StoredNotification> = {};

  beforeAll(async () => {
    gateway = await startGateway();
    const seed: [string, string, alerting.OpniSeverity, string, Record<string, string>][] = [
      ['q-disk', 'cluster-a', OpniSeverity.Warning, 'Disk FULL on node-7', { opni_dedupe_key: 'dk-1' }],
      ['q-memory', 'cluster-b', OpniSeverity.Critical, 'Memory pressure', { team: 'Compute' }],
      ['q-disk-again', 'cluster-a', OpniSeverity.Info, 'Disk full again', { opni_dedupe_key: 'dk-1' }],
      ['q-shared', 'cluster-a', OpniSeverity.Error, 'Shared id here', {}],
      ['q-shared', 'cluster-b', OpniSeverity.Critical, 'Shared id there', {}],
    ];
    for (const [i, [id, clusterId, severity, title, properties]] of seed.entries()) {
      const notification = { title, body: `body of ${id}`, properties: { opni_uuid: id, ...properties } };
      const receivedAt = new Date(T0 + i * 1_000);
      stored[`${clusterId}/${id}`] = await ingest(
        gateway,
        incoming(id, { clusterId, severity, notification, receivedAt }),
      );
    }
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const list = async (query: string) => {
    const { status, body } = await getJson<NotificationListJson>(`${gateway.http}/api/v1/notifications${query}`);
    expect(status).toBe(200);
    return body;
  };
  const listIds = async (query: string) => (await list(query)).notifications.map((n) => `${n.clusterId}/${n.id}`);
  const refusal = async (path: string) => {
    const { status, body } = await getJson<ErrorBody>(`${gateway.http}${path}`);
    return `${status} ${body.error} ${body.message.split(':')[0]}`;
  };

  it('searches words of the title, body and property values with q, in any case, combined with filters', async () => {
    expect(await listIds('?q=disk')).toEqual(['cluster-a/q-disk-again', 'cluster-a/q-disk']);
    expect(await listIds('?q=DISK%20again')).toEqual(['cluster-a/q-disk-again']);
    expect(await listIds('?q=comp')).toEqual(['cluster-b/q-memory']);
    expect(await listIds('?q=shared&cluster=cluster-b')).toEqual(['cluster-b/q-shared']);
    expect(await listIds('?q=')).toHaveLength(5);
  });

  it('filters by dedupe key, and counts under q and dedupeKey', async () => {
    expect(await listIds('?dedupeKey=dk-1')).toEqual(['cluster-a/q-disk-again', 'cluster-a/q-disk']);
    expect(await listIds('?dedupeKey=dk')).toEqual([]);
    const counts = await getJson<NotificationCountsJson>(`${gateway.http}/api/v1/notifications/counts?q=disk`);
    expect(counts.body.bySeverity).toEqual({ Info: 1, Warning: 1, Error: 0, Critical: 0 });
    const byKey = await getJson<NotificationCountsJson>(`${gateway.http}/api/v1/notifications/counts?dedupeKey=dk-1`);
    expect(byKey.body.total).toBe(2);
  });

  it('orders most severe first with order=severity, paging in that order', async () => {
    const expected = [
      'cluster-b/q-shared',
      'cluster-b/q-memory',
      'cluster-a/q-shared',
      'cluster-a/q-disk',
      'cluster-a/q-disk-again',
    ];
    expect(await listIds('?order=severity')).toEqual(expected);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: NotificationListJson = await list(`?order=severity&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.notifications.map((n) => `${n.clusterId}/${n.id}`));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
    expect(await listIds('?order=newest&limit=1')).toEqual(['cluster-b/q-shared']);
  });

  it.each([
    ['q=%22*%3A()%5E-', 'q'],
    [`q=${'x'.repeat(201)}`, 'q'],
    ['q=a+b+c+d+e+f+g+h+i+j+k', 'q'],
    ['q=a&q=b', 'q'],
    ['order=loudest', 'order'],
    ['order=severity&order=newest', 'order'],
    ['dedupeKey=', 'dedupeKey'],
    ['dedupeKey=a%00b', 'dedupeKey'],
    ['cluster=a%00b', 'cluster'],
  ])('answers ?%s with 400 naming %s', async (query, field) => {
    expect(await refusal(`/api/v1/notifications?${query}`)).toBe(`400 invalid-argument ${field}`);
  });

  it('refuses a cursor of the other order with 400 naming cursor', async () => {
    const newest = await list('?limit=1');
    expect(await refusal(`/api/v1/notifications?order=severity&cursor=${newest.nextCursor}`)).toBe(
      '400 invalid-argument cursor',
    );
  });

  it('takes search syntax and SQL in q as plain words: 200, never a server error', async () => {
    for (const q of [
      '"disk" OR "x',
      'title:disk',
      'disk*',
      'NEAR(disk full)',
      "'; DROP TABLE notifications; --",
      '%_\\',
    ]) {
      const response = await adminFetch(`${gateway.http}/api/v1/notifications?q=${encodeURIComponent(q)}`);
      expect([q, response.status]).toEqual([q, q === '%_\\' ? 400 : 200]);
    }
    expect(await listIds('?q=disk*')).toEqual(['cluster-a/q-disk-again', 'cluster-a/q-disk']);
    expect(await listIds('?limit=10')).toHaveLength(5); // nothing dropped
  });

  describe('gRPC alerting.NotificationQueryService.List', () => {
    let client: QueryClient;
    beforeAll(() => {
      client = queryClient(gateway);
    });
    afterAll(() => client?.close());

    const listIds = async (request: Partial<alerting.ListNotificationsRequest>) =>
      (await client.list(alerting.ListNotificationsRequest.fromPartial(request))).notifications.map(
        (n) => `${n.clusterId}/${n.id}`,
      );

    it('searches with q, filters by dedupe_key and orders most severe first, as the HTTP list does', async () => {
      expect(await listIds({ q: 'DISK again' })).toEqual(['cluster-a/q-disk-again']);
      expect(await listIds({ q: 'shared', clusterIds: ['cluster-b'] })).toEqual(['cluster-b/q-shared']);
      expect(await listIds({ q: '' })).toHaveLength(5);
      expect(await listIds({ dedupeKey: 'dk-1' })).toEqual(['cluster-a/q-disk-again', 'cluster-a/q-disk']);
      expect(await listIds({ dedupeKey: 'dk' })).toEqual([]);

      const severity = NotificationOrder.NOTIFICATION_ORDER_SEVERITY;
      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await client.list(
          alerting.ListNotificationsRequest.fromPartial({ order: severity, limit: 2, cursor }),
        );
        seen.push(...page.notifications.map((n) => `${n.clusterId}/${n.id}`));
        cursor = page.nextCursor;
      } while (cursor !== '');
      expect(seen).toEqual([
        'cluster-b/q-shared',
        'cluster-b/q-memory',
        'cluster-a/q-shared',
        'cluster-a/q-disk',
        'cluster-a/q-disk-again',
      ]);
      expect(await listIds({ order: severity, q: 'disk' })).toEqual(['cluster-a/q-disk', 'cluster-a/q-disk-again']);
    });

    it.each([
      ['punctuation alone in q', { q: '"*:()^-' }, 'q'],
      ['a q of 201 characters', { q: 'x'.repeat(201) }, 'q'],
      ['a q of 11 words', { q: 'a b c d e f g h i j k' }, 'q'],
      ['an unknown order', { order: 7 as alerting.NotificationOrder }, 'order'],
      ['a NUL in dedupe_key', { dedupeKey: 'a\0b' }, 'dedupe_key'],
      ['a dedupe_key over 64 KiB', { dedupeKey: 'k'.repeat(64 * 1024 + 1) }, 'dedupe_key'],
    ])('INVALID_ARGUMENT naming the field for %s', async (_label, request, field) => {
      const error = await grpcError(client.list(alerting.ListNotificationsRequest.fromPartial(request)));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(new RegExp(`^${field}: `));
    });

    it('refuses a cursor of the other order, naming cursor', async () => {
      const newest = await client.list(alerting.ListNotificationsRequest.fromPartial({ limit: 1 }));
      const error = await grpcError(
        client.list(
          alerting.ListNotificationsRequest.fromPartial({
            order: NotificationOrder.NOTIFICATION_ORDER_SEVERITY,
            cursor: newest.nextCursor,
          }),
        ),
      );
      expect([error.code, error.details.split(':')[0]]).toEqual([status.INVALID_ARGUMENT, 'cursor']);
    });
  });

  describe('GET /api/v1/notifications/:id', () => {
    const byId = (path: string) =>
      getJson<NotificationJson & ErrorBody>(`${gateway.http}/api/v1/notifications/${path}`);

    it('answers the notification as the list shows it, in the cluster asked for', async () => {
      const [listed] = (await list('?q=memory')).notifications;
      expect(await byId('q-memory')).toEqual({ status: 200, body: listed });
      expect((await byId('q-shared?cluster=cluster-a')).body).toMatchObject({
        clusterId: 'cluster-a',
        title: 'Shared id here',
      });
      expect((await byId('q-disk?cluster=cluster-a')).body.seq).toBe(stored['cluster-a/q-disk'].seq.toString());
    });

    it('answers 404 for an unknown id, and 400 naming cluster when the id is in several', async () => {
      expect(await byId('no-such-id')).toEqual({
        status: 404,
        body: { error: 'not-found', message: 'no notification with id "no-such-id" is stored (or it was pruned)' },
      });
      expect((await byId('q-memory?cluster=cluster-a')).status).toBe(404);
      expect(await refusal('/api/v1/notifications/q-shared')).toBe('400 invalid-argument cluster');
      expect(await refusal('/api/v1/notifications/q-memory?limit=1')).toBe('400 invalid-argument limit');
    });

    it('leaves /counts and /stream to their own routes', async () => {
      expect((await getJson<NotificationCountsJson>(`${gateway.http}/api/v1/notifications/counts`)).body.total).toBe(5);
      const abort = new AbortController();
      const stream = await adminFetch(`${gateway.http}/api/v1/notifications/stream`, { signal: abort.signal });
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      abort.abort();
    });

    it('needs the admin token; odd ids are looked up as text, never a server error', async () => {
      const anonymous = await fetch(`${gateway.http}/api/v1/notifications/q-memory`);
      expect(anonymous.status).toBe(401);
      for (const path of [
        '..%2Fcounts',
        '%2e%2e',
        'q-memory%00',
        "'%20OR%201=1--",
        'x'.repeat(8_000),
        '%F0%9F%92%A5',
      ]) {
        const { status } = await adminFetch(`${gateway.http}/api/v1/notifications/${path}`);
        expect([path.slice(0, 20), status]).toEqual([path.slice(0, 20), path === 'q-memory%00' ? 400 : 404]);
      }
    });
  });
});
