import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { severityName } from '@app/notification-model';
import { alerting } from '@app/proto';
import { AppErrorFilter, loadSettings, MetricsModule } from '@app/runtime';
import { capturingLogger, scrapeMetrics, WebhookServer, type LoggedLine, type MetricsScrape } from '@app/testing';
import { GatewaySettings } from '../../src/config/gateway-settings.js';
import { NotificationBus } from '../../src/notifications/live-feed/notification-bus.js';
import {
  NOTIFICATION_STORE,
  type IncomingNotification,
  type NotificationStore,
} from '../../src/notifications/store/notification-store.js';
import type { AlertmanagerWebhookMessage } from '../../src/receivers/webhook/webhook-payload.js';
import type { ReceiverView } from '../../src/receivers/webhook/receiver-view.js';
import { ReceiversModule } from '../../src/receivers/receivers.module.js';
import { StorageModule } from '../../src/storage/storage.module.js';
import { SqliteNotificationStore } from '../../src/storage/sqlite/sqlite-notification-store.js';

const { GoldenSignal } = alerting;
// The receivers' e2e harness: an in-process gateway of the receivers module
// over a real SQLite store and progress file, real HTTP receivers, and what it
// logged. receiversHarness() gives each test fresh ones.

export const EXTERNAL_URL = 'http://gateway.test:8080';
export const GENERATOR_URL = `${EXTERNAL_URL}/api/v1/notifications`;

/**
 * The gateway's real SQLite notification store on one file, reopened after
 * each gateway closes it: the database outlives a gateway restart, and the
 * test stores into it while no gateway runs.
 */
export class DurableStore implements NotificationStore {
  private current?: SqliteNotificationStore;
  /** The file; set for each test (see receiversHarness). */
  path = '';
  private get open(): SqliteNotificationStore {
    return (this.current ??= new SqliteNotificationStore(this.path));
  }
  store(incoming: IncomingNotification) {
    return this.open.store(incoming);
  }
  list(query: Parameters<NotificationStore['list']>[0]) {
    return this.open.list(query);
  }
  withId(id: string, clusterId?: string) {
    return this.open.withId(id, clusterId);
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

/**
 * The gateway as far as receivers are concerned, in this process: the
 * receivers module with its real SQLite progress file in `dataDir`, the real
 * bus and metrics, and `store` as the notification store. The store outlives
 * the app, as the gateway's database outlives a gateway restart.
 */
export class Gateway {
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
        // The test's store (real SQLite, outliving each app) instead of the one StorageModule would open.
        { provide: NOTIFICATION_STORE, useValue: store },
      ],
      exports: [GatewaySettings, NOTIFICATION_STORE],
    };
    const moduleRef = await Test.createTestingModule({
      imports: [root, StorageModule.forRoot('sqlite'), MetricsModule, ReceiversModule],
    })
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
export function notification(
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
export function deliveredAlerts(server: WebhookServer) {
  return server.accepted<AlertmanagerWebhookMessage>().flatMap((message) => message.alerts);
}

/** Every alert the receiver was ever sent, answered or not. */
export function sentIds(server: WebhookServer): Set<string> {
  return new Set(
    server.requests.flatMap((r) =>
      (JSON.parse(r.body) as AlertmanagerWebhookMessage).alerts.map((a) => a.labels.opni_uuid),
    ),
  );
}

export const WAIT = { timeoutMs: 20_000, intervalMs: 10 };

/**
 * What the gateway logged. (captureNestLogs cannot serve here: compiling a
 * testing module replaces Nest's static logger with the builder's.)
 */
const logs: LoggedLine[] = [];
const gatewayLogger = capturingLogger(logs);
export const eventsLogged = (event: string, level?: string) =>
  logs.filter(
    (line) => (line.fields as { event?: string } | undefined)?.event === event && (!level || line.level === level),
  );

/**
 * Registers (call it inside `describe`) a fresh data directory, store and log
 * for each test; the gateways and receivers a test starts are closed after it.
 */
export function receiversHarness() {
  let dataDir: string;
  const store = new DurableStore();
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
    store.path = join(dataDir, 'notifications.db');
    logs.length = 0;
  });
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) await gateway.close().catch(() => undefined);
    for (const server of servers.splice(0)) await server.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  return { store, webhook, startGateway };
}
