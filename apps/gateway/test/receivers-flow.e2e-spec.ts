import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appsStoppedAfterEach,
  gatewayAdmin,
  installAlerting,
  joinArgs,
  SEVERITIES,
  waitFor,
  WebhookServer,
  withNotifyClient,
} from '@app/testing';

// A webhook receiver behind the whole path, with real processes: an agent
// pushes to a gateway whose receiver answers 503 for a while and then
// recovers; it must get every notification that matches its filters (and
// none that does not), each once as far as the gateway can tell.

interface Alert {
  labels: Record<string, string>;
}

describe('gateway → webhook receiver, end to end', () => {
  const { start, onCleanUp } = appsStoppedAfterEach();

  it('delivers every matching notification to a receiver that fails for a while, then recovers', async () => {
    const hook = await WebhookServer.start();
    onCleanUp(() => hook.close());
    let down = true;
    hook.respond = () => (down ? 503 : 200);

    const gatewayDir = mkdtempSync(join(tmpdir(), 'gateway-flow-'));
    onCleanUp(() => rmSync(gatewayDir, { recursive: true, force: true }));
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
    const gateway = await start('gateway', { dataDir: gatewayDir, args: ['--receivers-file', receiversFile] });
    const agents = await Promise.all(
      ['prod', 'staging'].map((cluster) => joinArgs(gateway, cluster).then((args) => start('agent', { args }))),
    );
    for (const cluster of ['prod', 'staging']) await installAlerting(gateway.httpAddress, cluster);

    const expected: string[] = [];
    for (const [a, agent] of agents.entries()) {
      await withNotifyClient(agent.grpcAddress, async (client) => {
        for (let n = 0; n < 40; n++) {
          const severity = SEVERITIES[n % 4];
          const id = `${a === 0 ? 'prod' : 'staging'}-${n}`;
          await client.notify({
            id,
            message: { title: `t ${id}`, body: 'b', properties: { opni_severity: severity } },
          });
          if (a === 0 && (severity === 'Error' || severity === 'Critical')) expected.push(id);
        }
      });
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
