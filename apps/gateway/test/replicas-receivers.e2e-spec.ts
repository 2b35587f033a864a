import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appsStoppedAfterEach,
  installAlerting,
  joinArgs,
  notifyAll,
  scrapeMetrics,
  startPostgres,
  waitFor,
  WebhookServer,
  type PostgresCluster,
  type SpawnedApp,
} from '@app/testing';
import type { AlertmanagerWebhookMessage } from '../src/receivers/webhook/webhook-payload.js';

// Two gateway replicas on one PostgreSQL database, each with an agent pushing
// to it, and one webhook receiver configured on both: only the replica holding
// the receiver's delivery lease delivers, so each notification arrives once;
// when that replica is killed, the other takes the lease over once it expires
// and delivers from the saved cursor (at least once across the takeover).

const LEASE_SECONDS = 2;
const WAIT = { timeoutMs: 15_000, intervalMs: 50 };

/** Every alert id the receiver accepted (2xx), in arrival order, repeats included. */
function acceptedIds(hook: WebhookServer): string[] {
  return hook.accepted<AlertmanagerWebhookMessage>().flatMap((body) => body.alerts.map((a) => a.labels.opni_uuid));
}

/** Whether the replica says it holds the receiver's lease (gateway_delivery_leases_held). */
async function holdsLease(gateway: SpawnedApp): Promise<boolean> {
  const metrics = await scrapeMetrics(gateway.httpAddress);
  return metrics.value('gateway_delivery_leases_held', { receiver: 'oncall', kind: 'webhook' }) === 1;
}

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, n) => ({ id: `${prefix}-${n}`, severity: 'Error' }));

describe('gateway replicas on one PostgreSQL: receiver delivery', () => {
  const { start, onCleanUp } = appsStoppedAfterEach();
  let cluster: PostgresCluster;
  beforeAll(async () => (cluster = await startPostgres()));
  afterAll(() => cluster?.stop());

  it('delivers each notification once while both replicas live, and from the survivor after the holder is killed', async () => {
    const hook = await WebhookServer.start();
    onCleanUp(() => hook.close());
    const dir = mkdtempSync(join(tmpdir(), 'gateway-replicas-'));
    onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
    const receiversFile = join(dir, 'receivers.json');
    writeFileSync(
      receiversFile,
      JSON.stringify({ receivers: [{ name: 'oncall', url: hook.url, backoffInitialMs: 20, backoffMaxMs: 200 }] }),
    );
    const env = {
      GATEWAY_STORAGE: 'postgres',
      GATEWAY_POSTGRES_URL: await cluster.createDatabase(),
      GATEWAY_DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const gateways = await Promise.all(
      [0, 1].map(() => start('gateway', { env, args: ['--receivers-file', receiversFile] })),
    );
    const agents = await Promise.all(
      gateways.map(async (gateway, n) => {
        const agent = await start('agent', { args: await joinArgs(gateway, `cluster-${n}`) });
        await installAlerting(gateway.httpAddress, `cluster-${n}`);
        return agent;
      }),
    );

    // One replica holds the lease, the other waits.
    const holding = await waitFor(async () => {
      const held = await Promise.all(gateways.map(holdsLease));
      return held.filter(Boolean).length === 1 ? held.indexOf(true) : undefined;
    }, WAIT);
    const [holder, survivor] = [gateways[holding], gateways[1 - holding]];

    // Stored through both replicas: each notification reaches the receiver exactly once.
    await Promise.all([notifyAll(agents[0].grpcAddress, ids('a', 30)), notifyAll(agents[1].grpcAddress, ids('b', 30))]);
    await waitFor(() => new Set(acceptedIds(hook)).size === 60, { ...WAIT, description: 'all 60 delivered' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
    expect(acceptedIds(hook)).toHaveLength(60);
    expect(hook.requests.every((request) => request.status === 200)).toBe(true);

    // The holder is killed while it fails to deliver what the other replica stores.
    hook.respond = () => 503;
    await notifyAll(agents[1 - holding].grpcAddress, ids('c', 20));
    await waitFor(() => hook.requests.some((r) => r.status === 503), { ...WAIT, description: 'a failing delivery' });
    await holder.stop('SIGKILL');
    hook.respond = () => 200;
    await notifyAll(agents[1 - holding].grpcAddress, ids('d', 20));

    const expected = [...ids('a', 30), ...ids('b', 30), ...ids('c', 20), ...ids('d', 20)].map(({ id }) => id);
    await waitFor(() => new Set(acceptedIds(hook)).size === expected.length, {
      ...WAIT,
      description: 'the survivor to take over and deliver the rest',
    });
    expect(new Set(acceptedIds(hook))).toEqual(new Set(expected));
    expect(await holdsLease(survivor)).toBe(true);
  }, 60_000);
});
