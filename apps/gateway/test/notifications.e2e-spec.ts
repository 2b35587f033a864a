import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { alerting, serviceDefinitions } from '@app/proto';
import { loadSettings, startService, type RunningService, type UnaryClient } from '@app/runtime';
import { gatewayClient, scrapeMetrics, waitFor, type GatewaySecrets } from '@app/testing';
import { AppModule } from '../src/app.module.js';
import { GatewaySettings } from '../src/config/gateway-settings.js';
import { NotificationBus } from '../src/notifications/live-feed/notification-bus.js';
import { loadTlsIdentity } from '../src/security/tls-identity.js';
import {
  NOTIFICATION_STORE,
  type IncomingNotification,
  type NotificationStore,
} from '../src/notifications/store/notification-store.js';

// The gateway's read side over real HTTP and gRPC servers on 127.0.0.1: the
// whole gateway app in this process, so the test can fill the real store and
// publish on the real bus the way ingest does (ingest is tested on its own).

const { OpniSeverity, GoldenSignal } = alerting;
/** An hour ago, so that what the tests store live is newer (receivedAt never decreases along seq). */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

/** The in-process gateway's admin token: every /api/ route needs it. */
const ADMIN_TOKEN = 'notifications-e2e-admin-token';

/** fetch with the admin token (a header the call sets itself wins, e.g. to test without it). */
function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string>) },
  });
}

interface Gateway {
  secrets: GatewaySecrets;
  running: RunningService;
  http: string;
  store: NotificationStore;
  bus: NotificationBus;
  dir: string;
  stop(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-notifications-e2e-'));
  const settings = loadSettings(GatewaySettings, {
    argv: [],
    env: {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_GRPC_PORT: '0',
      GATEWAY_HTTP_PORT: '0',
      GATEWAY_DATA_DIR: dir,
      GATEWAY_SSE_HEARTBEAT: '100ms',
      LOG_LEVEL: 'fatal',
    },
  });
  const tls = await loadTlsIdentity(dir, {});
  const running = await startService({
    name: 'gateway',
    settings,
    module: AppModule.forRoot(settings, { tls, adminToken: ADMIN_TOKEN }),
    grpc: {
      packageDefinition: {
        'alerting.NotificationQueryService': serviceDefinitions['alerting.NotificationQueryService'],
      },
      credentials: ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(tls.certChainPem), private_key: Buffer.from(tls.keyPem) },
      ]),
    },
  });
  return {
    secrets: { adminToken: ADMIN_TOKEN, caCertPem: tls.caCertPem, pin: tls.pin },
    running,
    http: `http://${running.httpAddress}`,
    store: running.app.get(NOTIFICATION_STORE, { strict: false }),
    bus: running.app.get(NotificationBus, { strict: false }),
    dir,
    async stop() {
      await running.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function incoming(id: string, overrides: Partial<IncomingNotification> = {}): IncomingNotification {
  const clusterId = overrides.clusterId ?? 'cluster-live';
  return {
    clusterId,
    id,
    notification: {
      title: `title ${id}`,
      body: `body ${id}`,
      properties: { opni_uuid: id, opni_clusterId: clusterId },
    },
    severity: OpniSeverity.Info,
    goldenSignal: GoldenSignal.Custom,
    receivedAt: new Date(),
    ...overrides,
  };
}

/** What ingest does once an agent pushed a notification: store it, and publish it if it was new. */
async function ingest(gateway: Gateway, notification: IncomingNotification): Promise<alerting.StoredNotification> {
  const { stored, duplicate } = await gateway.store.store(notification);
  if (!duplicate) gateway.bus.publish(stored);
  return stored;
}

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

// --- A Server-Sent Events client over fetch -------------------------------------------------------

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

interface SseClient {
  response: Response;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await adminFetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const client: SseClient = {
    response,
    events: [],
    comments: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) return client;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  client.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else {
              isEvent = true;
              const colon = line.indexOf(':');
              const field = line.slice(0, colon);
              const value = line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') event.event = value;
              else if (field === 'id') event.id = value;
              else if (field === 'data') event.data += value;
            }
          }
          if (isEvent) client.events.push(event);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return client;
}

// --- gRPC ------------------------------------------------------------------------------------------

type QueryClient = UnaryClient<'alerting.NotificationQueryService'>;

interface Watch {
  received: alerting.StoredNotification[];
  /** Resolves with the call's final status. */
  ended: Promise<{ code: number; details: string }>;
  cancel(): void;
}

function watch(client: QueryClient, request: Partial<alerting.WatchNotificationsRequest>): Watch {
  const method = serviceDefinitions['alerting.NotificationQueryService'].watch;
  const call: ClientReadableStream<alerting.StoredNotification> = client.raw.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    { clusterIds: [], minSeverity: OpniSeverity.Info, ...request },
  );
  const received: alerting.StoredNotification[] = [];
  call.on('data', (stored: alerting.StoredNotification) => received.push(stored));
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('status', (s) => resolve({ code: s.code, details: s.details }));
  });
  call.on('error', () => {}); // the status carries it
  return { received, ended, cancel: () => call.cancel() };
}

async function grpcError(call: Promise<unknown>): Promise<ServiceError> {
  const outcome = await call.then(
    (response) => new Error(`expected a gRPC error, got OK: ${String(response)}`),
    (error: ServiceError) => error,
  );
  if (!('code' in outcome)) throw outcome;
  return outcome;
}

// ---------------------------------------------------------------------------------------------------

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
      client = gatewayClient(
        { grpcAddress: gateway.running.grpcAddress, gateway: gateway.secrets },
        'alerting.NotificationQueryService',
      );
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

describe('gateway live feeds under load', () => {
  let gateway: Gateway;
  let client: QueryClient;

  beforeAll(async () => {
    gateway = await startGateway();
    client = gatewayClient(
      { grpcAddress: gateway.running.grpcAddress, gateway: gateway.secrets },
      'alerting.NotificationQueryService',
    );
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
    const client = gatewayClient(
      { grpcAddress: gateway.running.grpcAddress, gateway: gateway.secrets },
      'alerting.NotificationQueryService',
    );
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
