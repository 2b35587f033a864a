import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import {
  AlertmanagerProcess,
  gatewayAdmin,
  installAlerting,
  joinArgs,
  scrapeMetrics,
  spawnApp,
  waitFor,
  webhookRouteConfig,
  WebhookServer,
  type SpawnedApp,
} from '@app/testing';
import type { AlertmanagerView } from '../src/receivers/alertmanager/alertmanager-view.js';

// Real processes end to end: agents → gateway → real Prometheus Alertmanagers
// (Debian's prometheus-alertmanager), whose own routing delivers to a webhook
// server. One gateway and one set of Alertmanagers serve every test; each test
// sends notifications of its own (distinct ids) and checks only those.

type NotifyClient = UnaryClient<'alerting.NotificationService'>;

interface WebhookAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

const EXTERNAL_URL = 'https://gateway.example.com';

/**
 * An HTTP front for a real Alertmanager that renames the label `poison_label`
 * to `poison-label` on the way: Alertmanager itself then refuses the batch
 * with a 400 and its own message, as it would an invalid label.
 */
async function poisoningProxy(target: AlertmanagerProcess): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8').replaceAll('"poison_label"', '"poison-label"');
      const forward = request(
        `${target.url}${req.url}`,
        {
          method: req.method,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end('bad gateway'));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('gateway → real Alertmanager, end to end', () => {
  let dir: string;
  let hook: WebhookServer;
  let routed: AlertmanagerProcess;
  let pairUp: AlertmanagerProcess;
  let pairDown: AlertmanagerProcess;
  let outage: AlertmanagerProcess;
  let poisoned: AlertmanagerProcess;
  let proxy: Awaited<ReturnType<typeof poisoningProxy>>;
  let gateway: SpawnedApp;
  const agents = new Map<string, SpawnedApp>();
  const clients = new Map<string, NotifyClient>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-alertmanager-'));
    hook = await WebhookServer.start();
    [routed, pairUp, pairDown, outage, poisoned] = await Promise.all([
      AlertmanagerProcess.start(webhookRouteConfig(hook.url)),
      ...[1, 2, 3, 4].map(() => AlertmanagerProcess.start(webhookRouteConfig('http://127.0.0.1:1/unused'))),
    ]);
    await pairDown.stop();
    proxy = await poisoningProxy(poisoned);
    const fast = { backoffInitialMs: 50, backoffMaxMs: 500, pollIntervalMs: 1_000 };
    const file = join(dir, 'receivers.json');
    writeFileSync(
      file,
      JSON.stringify({
        alertmanagers: [
          { name: 'routed', urls: [routed.url], ...fast },
          { name: 'pair', urls: [pairDown.url, pairUp.url], ...fast },
          { name: 'outage', urls: [outage.url], ...fast },
          { name: 'poisoned', urls: [proxy.url], ...fast },
        ],
      }),
    );
    gateway = await spawnApp('gateway', {
      dataDir: join(dir, 'gateway'),
      args: ['--receivers-file', file, '--external-url', EXTERNAL_URL],
    });
    for (const cluster of ['prod', 'staging']) {
      const agent = await spawnApp('agent', { args: await joinArgs(gateway, cluster) });
      agents.set(cluster, agent);
      await installAlerting(gateway.httpAddress, cluster);
      clients.set(cluster, createUnaryClient('alerting.NotificationService', agent.grpcAddress));
    }
  }, 120_000);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await Promise.all([...agents.values()].map((agent) => agent.stop('SIGKILL')));
    await gateway?.stop('SIGKILL');
    await proxy?.close();
    await Promise.all([routed, pairUp, pairDown, outage, poisoned].map((am) => am?.close()));
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function notify(
    cluster: string,
    id: string,
    { title = `title ${id}`, properties = {} }: { title?: string; properties?: Record<string, string> } = {},
  ) {
    await clients.get(cluster)!.notify({ id, message: { title, body: `body of ${id}`, properties } });
  }

  function hookAlerts(): WebhookAlert[] {
    return hook.accepted<{ alerts: WebhookAlert[] }>().flatMap((body) => body.alerts);
  }

  async function target(name: string): Promise<AlertmanagerView> {
    return (await gatewayAdmin<AlertmanagerView>(gateway.httpAddress, 'GET', `/api/v1/alertmanagers/${name}`)).body;
  }

  it("arrives at a webhook that Alertmanager's own route sends to, with the mapped labels and annotations", async () => {
    await notify('prod', 'map-1', {
      title: 'BackOff: Back-off restarting failed container',
      properties: {
        opni_severity: 'Critical',
        opni_goldenSignal: 'Errors',
        namespace: 'payments',
        'app.kubernetes.io/name': 'api',
        long_value: 'x'.repeat(200),
      },
    });

    const alert = await waitFor(() => hookAlerts().find((a) => a.labels.opni_uuid === 'map-1'), {
      timeoutMs: 30_000,
      description: 'the alert at the webhook behind Alertmanager',
    });
    expect(alert.labels).toEqual({
      alertname: 'BackOff',
      cluster: 'prod',
      severity: 'critical',
      golden_signal: 'errors',
      opni_uuid: 'map-1',
      namespace: 'payments',
    });
    expect(alert.annotations).toMatchObject({
      summary: 'BackOff: Back-off restarting failed container',
      description: 'body of map-1',
      app_kubernetes_io_name: 'api',
      long_value: 'x'.repeat(200),
      link: expect.stringMatching(/^https:\/\/gateway\.example\.com\/api\/v1\/notifications\?cluster=prod&since=/),
    });
    expect(alert.generatorURL).toBe(alert.annotations.link);
    // Webhooks show a firing alert's endsAt as zero; Alertmanager's API shows the one we posted.
    const [posted] = await routed.alerts(['opni_uuid="map-1"']);
    expect(Date.parse(posted.endsAt) - Date.parse(posted.startsAt)).toBe(3_600_000);

    // The link finds the notification at the gateway.
    const link = new URL(alert.annotations.link);
    const listed = await gatewayAdmin<{ notifications: { id: string }[] }>(
      gateway.httpAddress,
      'GET',
      `${link.pathname}${link.search}`,
    );
    expect(listed.body.notifications.map((n) => n.id)).toEqual(['map-1']);

    // opni_group_key names the alert when present.
    await notify('staging', 'map-2', { properties: { opni_group_key: 'DiskPressure' } });
    const grouped = await waitFor(() => hookAlerts().find((a) => a.labels.opni_uuid === 'map-2'), {
      timeoutMs: 30_000,
      description: 'the grouped alert',
    });
    expect(grouped.labels).toMatchObject({ alertname: 'DiskPressure', cluster: 'staging', severity: 'info' });
  });

  it("a silence made in Alertmanager for cluster=prod stops prod's notifications and not staging's", async () => {
    await routed.silence([{ name: 'cluster', value: 'prod' }]);
    await notify('prod', 'silenced-1', { properties: { opni_severity: 'Error' } });
    await notify('staging', 'silenced-2', { properties: { opni_severity: 'Error' } });

    await waitFor(() => hookAlerts().find((a) => a.labels.opni_uuid === 'silenced-2'), {
      timeoutMs: 30_000,
      description: "staging's notification at the webhook",
    });
    // prod's reached Alertmanager, which silenced it: it is there, and never went to the webhook.
    const [stored] = await waitFor(async () => {
      const found = await routed.alerts(['opni_uuid="silenced-1"']);
      return found.length > 0 && found[0].status.state === 'suppressed' ? found : undefined;
    });
    expect(stored.status.silencedBy).toHaveLength(1);
    // A later alert's group is flushed after the silenced one's was: once it is at the webhook, prod's had its turn.
    await notify('staging', 'silenced-3');
    await waitFor(() => hookAlerts().find((a) => a.labels.opni_uuid === 'silenced-3'), {
      timeoutMs: 30_000,
      description: 'a later notification at the webhook',
    });
    expect(hookAlerts().filter((a) => a.labels.opni_uuid === 'silenced-1')).toEqual([]);
  });

  it('delivers everything to a target with two Alertmanagers while one of them is down', async () => {
    const ids = Array.from({ length: 20 }, (_, n) => `pair-${n}`);
    for (const id of ids) await notify('prod', id);

    await waitFor(
      async () => {
        const found = await pairUp.alerts(['opni_uuid=~"pair-.*"']);
        return found.length === ids.length;
      },
      { timeoutMs: 30_000, description: 'every notification at the Alertmanager that is up' },
    );
    const view = await target('pair');
    expect(view.state).toBe('ok');
    expect(view.peers.map((peer) => peer.up)).toEqual([false, true]);
    expect(view.peers[0].lastError?.message).toMatch(/ECONNREFUSED/);
  });

  it('delivers what was sent while the Alertmanager was down once it is back, none expired', async () => {
    await outage.stop();
    const ids = Array.from({ length: 30 }, (_, n) => `outage-${n}`);
    for (const id of ids) await notify(n(id) % 2 ? 'prod' : 'staging', id);
    await waitFor(async () => (await target('outage')).consecutiveFailures >= 3, {
      timeoutMs: 30_000,
      description: 'the target to fail a few times',
    });
    expect((await target('outage')).state).toMatch(/retrying|failing/);

    await outage.start();
    await waitFor(async () => (await outage.alerts(['opni_uuid=~"outage-.*"'])).length === ids.length, {
      timeoutMs: 60_000,
      description: 'every notification of the outage at the Alertmanager',
    });
    const view = await waitFor(async () => {
      const current = await target('outage');
      return current.state === 'ok' && current.backlog === 0 ? current : undefined;
    });
    expect(view.expired).toBe(0);
    const metrics = await scrapeMetrics(gateway.httpAddress);
    expect(metrics.value('gateway_alertmanager_notifications_expired_total', { target: 'outage' })).toBe(0);
    expect(metrics.value('gateway_alertmanager_retries_total', { target: 'outage' })).toBeGreaterThanOrEqual(3);
    expect(metrics.value('gateway_alertmanager_notifications_sent_total', { target: 'outage' })).toBeGreaterThanOrEqual(
      ids.length,
    );
  });

  it('dead-letters only the notification Alertmanager refuses in a batch (400), with its message', async () => {
    await poisoned.stop();
    const ids = ['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4'];
    for (const id of ids) await notify('prod', id, { properties: id === 'batch-2' ? { poison_label: 'x' } : {} });
    await waitFor(async () => (await target('poisoned')).consecutiveFailures >= 1, {
      timeoutMs: 30_000,
      description: 'the target to fail while its Alertmanager is down',
    });
    await poisoned.start(); // the five now go in one batch

    const view = await waitFor(
      async () => {
        const current = await target('poisoned');
        return current.deadLettered >= 1 && current.backlog === 0 ? current : undefined;
      },
      { timeoutMs: 60_000, description: 'the offender dead-lettered' },
    );
    expect(view.deadLettered).toBe(1);
    expect(view.lastDeadLetter).toMatchObject({
      notifications: [{ clusterId: 'prod', id: 'batch-2' }],
      statusCode: 400,
      error: expect.stringContaining('invalid label set: invalid name \\"poison-label\\"'),
    });
    const stored = (await poisoned.alerts(['opni_uuid=~"batch-.*"'])).map((a) => a.labels.opni_uuid).sort();
    expect(stored).toEqual(['batch-0', 'batch-1', 'batch-3', 'batch-4']);
    const metrics = await scrapeMetrics(gateway.httpAddress);
    expect(metrics.value('gateway_alertmanager_notifications_failed_total', { target: 'poisoned' })).toBe(1);
  });
});

function n(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}
