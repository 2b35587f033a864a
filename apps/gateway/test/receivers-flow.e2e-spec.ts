import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnaryClient, type UnaryClient } from '@app/runtime';
import {
  gatewayAdmin,
  installAlerting,
  joinArgs,
  spawnApp,
  waitFor,
  WebhookServer,
  type SpawnedApp,
} from '@app/testing';

// A webhook receiver behind the whole path, with real processes: an agent
// pushes to a gateway whose receiver answers 503 for a while and then
// recovers; it must get every notification that matches its filters (and
// none that does not), each once as far as the gateway can tell.

type NotifyClient = UnaryClient<'alerting.NotificationService'>;
const SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;

interface Alert {
  labels: Record<string, string>;
}

describe('gateway → webhook receiver, end to end', () => {
  const started: SpawnedApp[] = [];
  let webhook: WebhookServer | undefined;
  let gatewayDir: string | undefined;
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop('SIGKILL')));
    await webhook?.close();
    if (gatewayDir) rmSync(gatewayDir, { recursive: true, force: true });
  });

  it('delivers every matching notification to a receiver that fails for a while, then recovers', async () => {
    const hook = (webhook = await WebhookServer.start());
    let down = true;
    hook.respond = () => (down ? 503 : 200);

    gatewayDir = mkdtempSync(join(tmpdir(), 'gateway-flow-'));
    const receiversFile = join(gatewayDir, 'receivers.json');
    writeFileSync(
      receiversFile,
      JSON.stringify({
        receivers: [
          {
            name: 'oncall',
            url: hook.url,
            minSeverity: 'Error',
            clusters: ['prod'],
            backoffInitialMs: 20,
            backoffMaxMs: 200,
          },
        ],
      }),
    );
    const gateway = await spawnApp('gateway', { dataDir: gatewayDir, args: ['--receivers-file', receiversFile] });
    started.push(gateway);
    const agents = await Promise.all(
      ['prod', 'staging'].map((cluster) => joinArgs(gateway, cluster).then((args) => spawnApp('agent', { args }))),
    );
    started.push(...agents);
    for (const cluster of ['prod', 'staging']) await installAlerting(gateway.httpAddress, cluster);

    const expected: string[] = [];
    for (const [a, agent] of agents.entries()) {
      const client: NotifyClient = createUnaryClient('alerting.NotificationService', agent.grpcAddress);
      try {
        for (let n = 0; n < 40; n++) {
          const severity = SEVERITIES[n % 4];
          const id = `${a === 0 ? 'prod' : 'staging'}-${n}`;
          await client.notify({
            id,
            message: { title: `t ${id}`, body: 'b', properties: { opni_severity: severity } },
          });
          if (a === 0 && (severity === 'Error' || severity === 'Critical')) expected.push(id);
        }
      } finally {
        client.close();
      }
    }

    await waitFor(() => hook.requests.filter((r) => r.status === 503).length >= 3, {
      description: 'the receiver to refuse a few deliveries',
    });
    const receiverState = await (await gatewayAdmin(gateway.httpAddress, 'GET', '/api/v1/receivers/oncall')).body;
    expect(receiverState).toMatchObject({ state: expect.stringMatching(/retrying|failing/) });
    down = false;

    const delivered = await waitFor(
      () => {
        const ids = hook.accepted<{ alerts: Alert[] }>().flatMap((body) => body.alerts.map((a) => a.labels.opni_uuid));
        return new Set(ids).size >= expected.length ? ids : undefined;
      },
      { timeoutMs: 20_000, description: 'every matching notification at the receiver' },
    );
    expect([...new Set(delivered)].sort()).toEqual([...expected].sort());
    expect(delivered).toHaveLength(expected.length);
    const alerts = hook.accepted<{ alerts: Alert[] }>().flatMap((body) => body.alerts);
    expect(alerts.every((a) => a.labels.cluster_id === 'prod')).toBe(true);
    await waitFor(async () => {
      const state = (await (
        await gatewayAdmin(gateway.httpAddress, 'GET', '/api/v1/receivers/oncall')
      ).body) as {
        state: string;
      };
      return state.state === 'ok';
    });
  });
});
