import { alerting } from '@app/proto';
import { startInProcessGateway, type InProcessGateway } from '../in-process-gateway.js';
import { NotificationBus } from '../../src/notifications/live-feed/notification-bus.js';
import {
  NOTIFICATION_STORE,
  type IncomingNotification,
  type NotificationStore,
} from '../../src/notifications/store/notification-store.js';

// The gateway's read side under test: the whole gateway app in this process,
// so that a test can fill the real store and publish on the real bus the way
// ingest does (ingest is tested on its own).

const { OpniSeverity, GoldenSignal } = alerting;

/** The in-process gateway's admin token: every /api/ route needs it. */
const ADMIN_TOKEN = 'notifications-e2e-admin-token';

/** fetch with the admin token (a header the call sets itself wins, e.g. to test without it). */
export function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string>) },
  });
}

export interface Gateway extends InProcessGateway {
  /** Its HTTP base URL. */
  http: string;
  store: NotificationStore;
  bus: NotificationBus;
}

/** A gateway serving the query API, its SSE heartbeat every 100 ms. */
export async function startGateway(): Promise<Gateway> {
  const gateway = await startInProcessGateway({
    name: 'gateway-notifications-e2e',
    adminToken: ADMIN_TOKEN,
    services: ['alerting.NotificationQueryService'],
    env: { GATEWAY_SSE_HEARTBEAT: '100ms' },
  });
  const { app, httpAddress } = gateway.running;
  return {
    ...gateway,
    http: `http://${httpAddress}`,
    store: app.get(NOTIFICATION_STORE, { strict: false }),
    bus: app.get(NotificationBus, { strict: false }),
  };
}

export function incoming(id: string, overrides: Partial<IncomingNotification> = {}): IncomingNotification {
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
export async function ingest(
  gateway: Gateway,
  notification: IncomingNotification,
): Promise<alerting.StoredNotification> {
  const { stored, duplicate } = await gateway.store.store(notification);
  if (!duplicate) gateway.bus.publish(stored);
  return stored;
}
