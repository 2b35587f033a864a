import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { severityName } from '@app/notification-model';
import { alerting } from '@app/proto';
import { AppErrorFilter, loadSettings, MetricsModule } from '@app/runtime';
import {
  capturingLogger,
  scrapeMetrics,
  waitFor,
  WebhookServer,
  type LoggedLine,
  type MetricsScrape,
} from '@app/testing';
import { GatewaySettings } from '../src/config/gateway-settings.js';
import { NotificationBus } from '../src/notifications/live-feed/notification-bus.js';
import {
  NOTIFICATION_STORE,
  type IncomingNotification,
  type NotificationStore,
} from '../src/notifications/store/notification-store.js';
import { alertOf, type AlertmanagerWebhookMessage } from '../src/receivers/webhook/webhook-payload.js';
import type { ReceiverView } from '../src/receivers/webhook/receiver-view.js';
import { ReceiversModule } from '../src/receivers/receivers.module.js';
import { SqliteNotificationStore } from '../src/notifications/store/sqlite-notification-store.js';

const { OpniSeverity, GoldenSignal } = alerting;
const EXTERNAL_URL = 'http://gateway.test:8080';
const GENERATOR_URL = `${EXTERNAL_URL}/api/v1/notifications`;

/**
 * The gateway as far as receivers are concerned, in this process: the
 * receivers module with its real SQLite progress file in `dataDir`, the real
 * bus and metrics, and `store` as the notification store. The store outlives
 * the app, as the gateway's database outlives a gateway restart.
 */
/**
 * The gateway's real SQLite notification store on one file, reopened after
 * each gateway closes it: the database outlives a gateway restart, and the
 * test stores into it while no gateway runs.
 */
class DurableStore implements NotificationStore {
  private current?: SqliteNotificationStore;
  constructor(private readonly path: string) {}
  private get open(): SqliteNotificationStore {
    return (this.current ??= new SqliteNotificationStore(this.path));
  }
  store(incoming: IncomingNotification) {
    return this.open.store(incoming);
  }
  list(query: Parameters<NotificationStore['list']>[0]) {
    return this.open.list(query);
  }
  readAfter(afterSeq: bigint, limit: number) {
    return this.open.readAfter(afterSeq, limit);
  }
  prune(...args: Parameters<NotificationStore['prune']>) {
    return this.open.prune(...args);
  }
  deleteCluster(clusterId: string) {
    return this.open.deleteCluster(clusterId);
  }
  lastReceivedByCluster() {
    return this.open.lastReceivedByCluster();
  }
  countBySeverity(query: Parameters<NotificationStore['countBySeverity']>[0]) {
    return this.open.countBySeverity(query);
  }
  async close(): Promise<void> {
    await this.current?.close();
    this.current = undefined;
  }
}

class Gateway {
  private constructor(
    readonly app: INestApplication,
    readonly store: DurableStore,
    readonly httpAddress: string,
  ) {}

  static async start(store: DurableStore, dataDir: string, receivers: unknown[]): Promise<Gateway> {
    const receiversFile = join(dataDir, 'receivers.json');
    writeFileSync(receiversFile, JSON.stringify({ receivers }));
    const settings = loadSettings(GatewaySettings, {
      // The notifications carry fixed past times: retention must not prune them.
      argv: [
        '--data-dir',
        dataDir,
        '--receivers-file',
        receiversFile,
        '--external-url',
        EXTERNAL_URL,
        '--retention-max-age',
        '0d',
      ],
      env: {},
    });
    @Module({})
    class TestRoot {}
    const root: DynamicModule = {
      module: TestRoot,
      global: true,
      providers: [
        { provide: GatewaySettings, useValue: settings },
        // The test's store (real SQLite, outliving each app) instead of the one NotificationsModule would open.
        { provide: NOTIFICATION_STORE, useValue: store },
      ],
      exports: [GatewaySettings, NOTIFICATION_STORE],
    };
    const moduleRef = await Test.createTestingModule({ imports: [root, MetricsModule, ReceiversModule] })
      .overrideProvider(NOTIFICATION_STORE)
      .useValue(store)
      .setLogger(gatewayLogger)
      .compile();
    const app = moduleRef.createNestApplication();
    app.useGlobalFilters(new AppErrorFilter());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new Gateway(app, store, `127.0.0.1:${port}`);
  }

  /** What ingest does: store, then publish if it was new. */
  async ingest(incoming: IncomingNotification): Promise<alerting.StoredNotification> {
    const { stored, duplicate } = await this.store.store(incoming);
    if (!duplicate) this.app.get(NotificationBus).publish(stored);
    return stored;
  }

  async receiver(name: string): Promise<ReceiverView> {
    const response = await fetch(`http://${this.httpAddress}/api/v1/receivers/${name}`);
    if (response.status !== 200) throw new Error(`GET receiver ${name}: HTTP ${response.status}`);
    return (await response.json()) as ReceiverView;
  }

  metrics(): Promise<MetricsScrape> {
    return scrapeMetrics(this.httpAddress);
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

let counter = 0;
function notification(
  clusterId: string,
  severity: alerting.OpniSeverity,
  properties: Record<string, string> = {},
): IncomingNotification {
  const id = `n-${++counter}`;
  return {
    clusterId,
    id,
    notification: {
      title: `${severityName(severity)} on ${clusterId}`,
      body: `body of ${id}`,
      properties: { ...properties, opni_uuid: id, opni_clusterId: clusterId },
    },
    severity,
    goldenSignal: GoldenSignal.Errors,
    receivedAt: new Date(Date.UTC(2026, 2, 1, 12, 0, counter)),
  };
}

/** Every alert of the 2xx-answered POSTs, in arrival order. */
function deliveredAlerts(server: WebhookServer) {
  return server.accepted<AlertmanagerWebhookMessage>().flatMap((message) => message.alerts);
}

/** Every alert the receiver was ever sent, answered or not. */
function sentIds(server: WebhookServer): Set<string> {
  return new Set(
    server.requests.flatMap((r) =>
      (JSON.parse(r.body) as AlertmanagerWebhookMessage).alerts.map((a) => a.labels.opni_uuid),
    ),
  );
}

const WAIT = { timeoutMs: 20_000, intervalMs: 10 };

/**
 * What the gateway logged. (captureNestLogs cannot serve here: compiling a
 * testing module replaces Nest's static logger with the builder's.)
 */
const logs: LoggedLine[] = [];
const gatewayLogger = capturingLogger(logs);
const eventsLogged = (event: string, level?: string) =>
  logs.filter(
    (line) => (line.fields as { event?: string } | undefined)?.event === event && (!level || line.level === level),
  );

describe('webhook receivers (e2e, in-process gateway, real HTTP receivers, real progress file)', () => {
  let dataDir: string;
  let store: DurableStore;
  const servers: WebhookServer[] = [];
  const gateways: Gateway[] = [];

  async function webhook(): Promise<WebhookServer> {
    const server = await WebhookServer.start();
    servers.push(server);
    return server;
  }
  async function startGateway(receivers: unknown[]): Promise<Gateway> {
    const gateway = await Gateway.start(store, dataDir, receivers);
    gateways.push(gateway);
    return gateway;
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gateway-receivers-'));
    store = new DurableStore(join(dataDir, 'notifications.db'));
    logs.length = 0;
  });
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) await gateway.close().catch(() => undefined);
    for (const server of servers.splice(0)) await server.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every matching notification once, in order, as mapped, through an outage; never a non-matching one', async () => {
    const ops = await webhook();
    const all = await webhook();
    let opsDown = true;
    ops.respond = () => (opsDown ? 503 : 200);

    // Stored before the receivers exist: "from": "end" (the default) skips them, "beginning" does not.
    const before = [
      (await store.store(notification('prod-eu-1', OpniSeverity.Critical))).stored,
      (await store.store(notification('dev', OpniSeverity.Info))).stored,
    ];
    const gateway = await startGateway([
      {
        name: 'ops',
        url: ops.url,
        minSeverity: 'Warning',
        clusters: ['prod-eu-1', 'prod-us-1'],
        headers: { Authorization: 'Bearer t0ken' },
        batchSize: 3,
        backoffInitialMs: 100,
        backoffMaxMs: 200,
        pollIntervalMs: 60_000, // the bus must wake it
      },
      { name: 'all', url: all.url, from: 'beginning', batchSize: 4, backoffInitialMs: 10, backoffMaxMs: 20 },
    ]);

    const plan: [string, alerting.OpniSeverity][] = [
      ['prod-eu-1', OpniSeverity.Critical],
      ['prod-eu-1', OpniSeverity.Info], // below minSeverity
      ['dev', OpniSeverity.Critical], // other cluster
      ['prod-us-1', OpniSeverity.Warning],
      ['prod-eu-1', OpniSeverity.Error],
      ['staging', OpniSeverity.Error],
      ['prod-us-1', OpniSeverity.Critical],
      ['prod-eu-1', OpniSeverity.Warning],
      ['prod-us-1', OpniSeverity.Info],
      ['prod-eu-1', OpniSeverity.Critical],
    ];
    const ingested: alerting.StoredNotification[] = [];
    for (const [cluster, severity] of plan) {
      ingested.push(await gateway.ingest(notification(cluster, severity, { node: 'node-1', 'bad key': 'x' })));
    }
    // A duplicate is not stored again, so not published, so not delivered again.
    await gateway.ingest({ ...notification('prod-eu-1', OpniSeverity.Critical), id: ingested[0].id });
    const matching = ingested.filter(
      (n) => ['prod-eu-1', 'prod-us-1'].includes(n.clusterId) && n.severity >= OpniSeverity.Warning,
    );
    expect(matching).toHaveLength(6);

    // The outage: the receiver answers 503; the API says retrying, the metrics count failures.
    const retrying = await waitFor(
      async () => {
        const view = await gateway.receiver('ops');
        return view.state === 'retrying' && view.consecutiveFailures >= 2 && view;
      },
      { ...WAIT, description: 'ops to be retrying' },
    );
    expect(retrying).toMatchObject({
      url: ops.url,
      filters: { minSeverity: 'Warning', clusters: ['prod-eu-1', 'prod-us-1'] },
      headers: ['Authorization'],
      lastSuccessAt: null,
      lastError: { message: expect.stringContaining('HTTP 503'), statusCode: 503 },
      delivered: 0,
    });
    expect(retrying.backlog).toBeGreaterThan(0);
    expect(JSON.stringify(retrying)).not.toContain('t0ken');
    expect(
      (await gateway.metrics()).value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'success' }),
    ).toBe(0);
    opsDown = false;

    const recovered = await waitFor(
      async () => {
        const view = await gateway.receiver('ops');
        return view.state === 'ok' && view.backlog === 0 && view;
      },
      { ...WAIT, description: 'ops to catch up' },
    );
    const last = ingested[ingested.length - 1].seq;
    expect(recovered).toMatchObject({
      cursor: String(last),
      consecutiveFailures: 0,
      delivered: 6,
      lastSuccessAt: expect.any(String),
    });

    // Exactly the matching ones, once each, oldest first, as mapped.
    expect(deliveredAlerts(ops)).toEqual(matching.map((stored) => alertOf(stored, GENERATOR_URL)));
    expect(deliveredAlerts(ops)[0].labels).toEqual({
      alertname: 'Critical on prod-eu-1',
      cluster_id: 'prod-eu-1',
      golden_signal: 'errors',
      node: 'node-1',
      opni_uuid: matching[0].id,
      severity: 'critical',
    });
    const nonMatching = [...before, ...ingested].filter((n) => !matching.includes(n)).map((n) => n.id);
    for (const id of nonMatching) expect(sentIds(ops)).not.toContain(id);
    for (const request of ops.requests) {
      const message = JSON.parse(request.body) as AlertmanagerWebhookMessage;
      expect(message.alerts.length).toBeLessThanOrEqual(3);
      expect(message).toMatchObject({ version: '4', receiver: 'ops', status: 'firing', externalURL: EXTERNAL_URL });
      expect(request.headers.authorization).toBe('Bearer t0ken');
    }

    // "all" has no filters and started at the beginning: everything stored, in seq order, once.
    await waitFor(async () => (await gateway.receiver('all')).backlog === 0 && deliveredAlerts(all).length === 12, {
      ...WAIT,
      description: 'all to catch up',
    });
    expect(deliveredAlerts(all).map((a) => a.labels.opni_uuid)).toEqual([...before, ...ingested].map((n) => n.id));

    // Metrics agree with what the receiver server saw.
    const failures = ops.requests.filter((r) => r.status === 503).length;
    const successes = ops.requests.filter((r) => r.status === 200).length;
    expect(failures).toBeGreaterThanOrEqual(2);
    const metrics = await gateway.metrics();
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'failure' })).toBe(failures);
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'ops', outcome: 'success' })).toBe(successes);
    expect(metrics.value('gateway_receiver_notifications_delivered_total', { receiver: 'ops' })).toBe(6);
    expect(metrics.value('gateway_receiver_notifications_delivered_total', { receiver: 'all' })).toBe(12);
    expect(metrics.value('gateway_receiver_backlog', { receiver: 'ops' })).toBe(0);
    expect(metrics.value('gateway_receiver_last_success_timestamp_seconds', { receiver: 'ops' })).toBeCloseTo(
      Date.parse(recovered.lastSuccessAt!) / 1000,
      2,
    );
    expect(metrics.value('gateway_receiver_notifications_dead_lettered_total', { receiver: 'ops' })).toBe(0);
    expect(eventsLogged('receiver-delivery-failed', 'warn')).toHaveLength(failures);
    expect(eventsLogged('receiver-recovered')).toHaveLength(1);
  });

  it('resumes from the durable cursor after a restart: nothing lost, nothing delivered twice', async () => {
    const server = await webhook();
    let down = false;
    server.respond = () => (down ? 503 : 200);
    const receivers = [{ name: 'ops', url: server.url, batchSize: 2, backoffInitialMs: 20, backoffMaxMs: 40 }];

    let gateway = await startGateway(receivers);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await gateway.ingest(notification('c1', OpniSeverity.Error))).id);
    await waitFor(() => deliveredAlerts(server).length === 5, { ...WAIT, description: 'the first five' });

    // The receiver goes down with three more pending; the gateway stops while retrying.
    down = true;
    for (let i = 0; i < 3; i++) ids.push((await gateway.ingest(notification('c1', OpniSeverity.Error))).id);
    await waitFor(async () => (await gateway.receiver('ops')).consecutiveFailures >= 2, WAIT);
    await gateway.close();

    // Stored while the gateway's receivers are down (no bus to wake anyone).
    for (let i = 0; i < 2; i++) ids.push((await store.store(notification('c1', OpniSeverity.Error))).stored.id);
    down = false;

    gateway = await startGateway(receivers);
    await waitFor(async () => (await gateway.receiver('ops')).backlog === 0 && deliveredAlerts(server).length >= 10, {
      ...WAIT,
      description: 'delivery to resume after the restart',
    });

    expect(deliveredAlerts(server).map((alert) => alert.labels.opni_uuid)).toEqual(ids);
    expect(await gateway.receiver('ops')).toMatchObject({ cursor: '10', delivered: 10, state: 'ok' });
    // Counters restart with the process; the API's delivered count is durable.
    expect((await gateway.metrics()).value('gateway_receiver_notifications_delivered_total', { receiver: 'ops' })).toBe(
      5,
    );
  });

  it('starts a new receiver at the end of the store, and keeps that start across a restart', async () => {
    const server = await webhook();
    for (let i = 0; i < 3; i++) await store.store(notification('c1', OpniSeverity.Critical));
    const receivers = [{ name: 'late', url: server.url }];

    let gateway = await startGateway(receivers);
    expect(await gateway.receiver('late')).toMatchObject({ cursor: '3', backlog: 0, delivered: 0 });
    await gateway.close();
    const missed = (await store.store(notification('c1', OpniSeverity.Critical))).stored;

    gateway = await startGateway(receivers);
    await waitFor(() => deliveredAlerts(server).length === 1, {
      ...WAIT,
      description: 'the one stored after it began',
    });
    expect(deliveredAlerts(server)[0].labels.opni_uuid).toBe(missed.id);
    await waitFor(async () => (await gateway.receiver('late')).cursor === '4', WAIT);
    expect(await gateway.receiver('late')).toMatchObject({ backlog: 0, delivered: 1, state: 'ok' });
  });

  it('finds notifications the bus did not announce by polling (another writer, a missed wake-up)', async () => {
    const server = await webhook();
    const gateway = await startGateway([{ name: 'ops', url: server.url, pollIntervalMs: 50 }]);

    const quiet = (await store.store(notification('c1', OpniSeverity.Warning))).stored;

    await waitFor(() => deliveredAlerts(server).length === 1, { ...WAIT, description: 'the poll to find it' });
    expect(deliveredAlerts(server)[0].fingerprint).toBe(alertOf(quiet, GENERATOR_URL).fingerprint);
    expect((await gateway.receiver('ops')).cursor).toBe(String(quiet.seq));
  });

  it('shows a rejecting receiver as failing, dead-letters after maxAttempts, counts it, and carries on', async () => {
    const server = await webhook();
    let rejecting = true;
    server.respond = () => (rejecting ? 401 : 200);
    // Stored before start, so that the first read takes both into one batch.
    const rejected = [
      (await store.store(notification('c1', OpniSeverity.Critical))).stored,
      (await store.store(notification('c1', OpniSeverity.Critical))).stored,
    ];
    const gateway = await startGateway([
      { name: 'strict', url: server.url, from: 'beginning', maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 },
    ]);

    const view = await waitFor(
      async () => {
        const current = await gateway.receiver('strict');
        return current.deadLettered === 2 && current;
      },
      { ...WAIT, description: 'the batch to be dead-lettered' },
    );
    expect(view).toMatchObject({
      state: 'failing',
      cursor: String(rejected[1].seq),
      backlog: 0,
      delivered: 0,
      lastError: { statusCode: 401, message: expect.stringContaining('HTTP 401') },
      lastDeadLetter: {
        fromSeq: String(rejected[0].seq),
        toSeq: String(rejected[1].seq),
        notifications: 2,
        statusCode: 401,
      },
    });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect((JSON.parse(request.body) as AlertmanagerWebhookMessage).alerts.map((a) => a.labels.opni_uuid)).toEqual(
        rejected.map((n) => n.id),
      );
    }
    expect(eventsLogged('receiver-rejected', 'error')).toHaveLength(3);
    expect(eventsLogged('receiver-dead-lettered', 'error')).toHaveLength(1);
    const metrics = await gateway.metrics();
    expect(metrics.value('gateway_receiver_notifications_dead_lettered_total', { receiver: 'strict' })).toBe(2);
    expect(metrics.value('gateway_receiver_deliveries_total', { receiver: 'strict', outcome: 'failure' })).toBe(
      server.requests.length,
    );

    rejecting = false;
    const next = await gateway.ingest(notification('c1', OpniSeverity.Critical));
    await waitFor(() => deliveredAlerts(server).length === 1, { ...WAIT, description: 'the next one to get through' });
    expect(deliveredAlerts(server)[0].labels.opni_uuid).toBe(next.id);
    expect(await gateway.receiver('strict')).toMatchObject({ state: 'ok', deadLettered: 2, delivered: 1 });
  });

  it('retries a rejecting receiver forever by default, as failing', async () => {
    const server = await webhook();
    server.respond = () => 404;
    const gateway = await startGateway([{ name: 'typo', url: server.url, backoffInitialMs: 5, backoffMaxMs: 10 }]);

    await gateway.ingest(notification('c1', OpniSeverity.Info));
    const view = await waitFor(async () => {
      const current = await gateway.receiver('typo');
      return current.consecutiveFailures >= 8 && current;
    }, WAIT);

    expect(view).toMatchObject({ state: 'failing', cursor: '0', backlog: 1, deadLettered: 0 });
    expect((await gateway.metrics()).value('gateway_receiver_backlog', { receiver: 'typo' })).toBe(1);
  });

  it('lists receivers with credentials redacted, and answers 404 for an unknown one', async () => {
    const gateway = await startGateway([
      { name: 'a', url: 'https://user:pw@hooks.example.com/x?token=abc' },
      { name: 'b', url: 'http://127.0.0.1:9/hook', minSeverity: 'critical' },
    ]);

    const response = await fetch(`http://${gateway.httpAddress}/api/v1/receivers`);
    const body = (await response.json()) as { receivers: ReceiverView[] };

    expect(body.receivers.map((r) => [r.name, r.url, r.filters.minSeverity])).toEqual([
      ['a', 'https://***@hooks.example.com/x?token=***', 'Info'],
      ['b', 'http://127.0.0.1:9/hook', 'Critical'],
    ]);
    expect(JSON.stringify(body)).not.toMatch(/pw|abc/);
    const missing = await fetch(`http://${gateway.httpAddress}/api/v1/receivers/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not-found', message: 'no receiver named "nope"' });
  });
});
