import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminHeaders,
  appsStoppedAfterEach,
  exactlyOnceReport,
  fetchAgentQueueCount,
  fetchGatewayNotifications,
  gatewayAdmin,
  installAlerting,
  interleavedSeverities,
  joinArgs,
  notifyAll as notifyEach,
  freePort,
  scrapeMetrics,
  spawnApp,
  startTcpProxy,
  waitFor,
  withNotifyClient,
  type SpawnedApp,
} from '@app/testing';

// Acceptance of the agent → gateway push (issue 5): real agent and gateway
// processes on loopback ports. The agent dials the gateway (directly, or
// through a TCP proxy that cuts the link), pushes what it queued, and forgets
// each notification only once the gateway has stored it and resolved it.

const FAST_RECONNECT = ['--reconnect-max-delay-ms', '300'];
const EXACTLY_ONCE = { duplicated: [], missing: [], unexpected: [] };

const notifyAll = (agent: SpawnedApp, notifications: { id: string; severity: string }[]) =>
  notifyEach(agent.grpcAddress, notifications);

describe('agent → gateway push', () => {
  const { start, onCleanUp } = appsStoppedAfterEach();

  it('queues while the gateway is down and while alerting is not installed; once installed, delivers everything, every Critical before any Info', async () => {
    const gatewayPort = await freePort();
    const gatewayDir = mkdtempSync(join(tmpdir(), 'gateway-down-'));
    const gatewayArgs = { dataDir: gatewayDir, args: ['--grpc-port', String(gatewayPort)] };
    // Joining takes a token and the pin: mint them, then stop the gateway, so the agent starts while it is down.
    const minting = await spawnApp('gateway', gatewayArgs);
    const joining = await joinArgs(minting, 'cluster-a');
    await minting.stop();
    const agent = await start('agent', { args: [...joining, ...FAST_RECONNECT] });
    // Interleaved severities, so that arrival order at the gateway can only come from the agent's priority order.
    const sent = interleavedSeverities('down', 400);
    await notifyAll(agent, sent);
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(sent.length);
    expect(agent.logs.filter((line) => line.event === 'gateway-unreachable' && line.level === 40)).toHaveLength(1);

    const gateway = await start('gateway', gatewayArgs);
    onCleanUp(() => rmSync(gatewayDir, { recursive: true, force: true }));
    // Connected and synced, but alerting is not installed: the agent says so, and keeps everything queued.
    await waitFor(
      async () => {
        const cluster = await gatewayAdmin<{ health: { conditions: string[] } | null }>(
          gateway.httpAddress,
          'GET',
          '/api/v1/clusters/cluster-a',
        );
        return cluster.status === 200 && cluster.body.health?.conditions.includes('Backend Disabled');
      },
      { description: 'the gateway to see cluster-a connected with "Backend Disabled"' },
    );
    expect(await fetchAgentQueueCount(agent.httpAddress)).toBe(sent.length);
    expect(await fetchGatewayNotifications(gateway.httpAddress)).toEqual([]);

    await installAlerting(gateway.httpAddress, 'cluster-a');
    await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
      timeoutMs: 30_000,
      description: 'the agent to have every notification resolved',
    });

    const listed = await fetchGatewayNotifications(gateway.httpAddress);
    expect(
      exactlyOnceReport(
        listed,
        sent.map((s) => s.id),
      ),
    ).toEqual(EXACTLY_ONCE);
    // Stored order (seq) is arrival order: the last Critical must come before the first Info.
    const bySeq = [...listed].sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)));
    const lastCritical = bySeq.findLastIndex((n) => n.severity === 'Critical');
    const firstInfo = bySeq.findIndex((n) => n.severity === 'Info');
    expect({ lastCritical, firstInfo, before: lastCritical < firstInfo }).toMatchObject({ before: true });
    // Identity from the session, content as sent.
    const one = listed.find((n) => n.id === 'down-3')!;
    expect(one).toMatchObject({
      clusterId: 'cluster-a',
      title: 'title down-3',
      body: 'body of down-3',
      severity: 'Critical',
      properties: expect.objectContaining({ opni_clusterId: 'cluster-a', opni_uuid: 'down-3', team: 'e2e' }),
    });

    const agentMetrics = await scrapeMetrics(agent.httpAddress);
    expect(agentMetrics.value('agent_gateway_connected')).toBe(1);
    expect(agentMetrics.value('agent_resolved_total')).toBe(sent.length);
    const gatewayMetrics = await scrapeMetrics(gateway.httpAddress);
    expect(gatewayMetrics.value('gateway_agent_sessions')).toBe(1);
    expect(
      gatewayMetrics.value('gateway_notifications_total', {
        cluster: 'cluster-a',
        severity: 'Critical',
        outcome: 'stored',
      }),
    ).toBe(100);
  });

  it('overwrites a forged opni_clusterId with the session identity', async () => {
    const gateway = await start('gateway');
    const agent = await start('agent', { args: await joinArgs(gateway, 'honest') });
    await installAlerting(gateway.httpAddress, 'honest');
    await withNotifyClient(agent.grpcAddress, (client) =>
      client.notify({
        id: 'forged',
        message: { title: 't', body: 'b', properties: { opni_clusterId: 'someone-else' } },
      }),
    );
    const [stored] = await waitFor(async () => {
      const listed = await fetchGatewayNotifications(gateway.httpAddress);
      return listed.length > 0 ? listed : undefined;
    });
    expect(stored).toMatchObject({
      id: 'forged',
      clusterId: 'honest',
      properties: expect.objectContaining({ opni_clusterId: 'honest' }),
    });
  });

  it('delivers every notification exactly once through a link that is cut again and again', async () => {
    const gateway = await start('gateway');
    const proxy = await startTcpProxy(gateway.grpcAddress);
    const agent = await start('agent', {
      args: [
        ...(await joinArgs(gateway, 'flaky', { address: proxy.address })),
        '--push-window',
        '16',
        ...FAST_RECONNECT,
      ],
    });
    await installAlerting(gateway.httpAddress, 'flaky');
    let cuts = 0;
    // Every 150 ms, cut the link once it has carried 8 KB back (a few windows of results): cuts land mid-drain
    // again and again, and every connection still gets some work done however slow the machine is.
    const cutter = setInterval(() => (cuts += proxy.cutAll({ afterBytes: 8_192 }) > 0 ? 1 : 0), 150);
    try {
      const sent = interleavedSeverities('cut', 1500);
      await notifyAll(agent, sent);
      await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
        timeoutMs: 60_000,
        description: 'every notification resolved through the flapping link',
      });
      clearInterval(cutter);
      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(
        exactlyOnceReport(
          await fetchGatewayNotifications(gateway.httpAddress),
          sent.map((s) => s.id),
        ),
      ).toEqual(EXACTLY_ONCE);
      const metrics = await scrapeMetrics(gateway.httpAddress);
      // Pushes repeated after a cut were recognised, not stored twice.
      const stored = metrics.sum('gateway_notifications_total', { cluster: 'flaky', outcome: 'stored' });
      expect(stored).toBe(sent.length);
    } finally {
      clearInterval(cutter);
      await proxy.close();
    }
  });

  it('moves a notification the gateway refuses as invalid to the dead-letter table, counted and listed, and delivers the rest', async () => {
    // The gateway's limits are stricter than the agent's: what the agent accepted, the gateway refuses.
    const gateway = await start('gateway', { args: ['--max-body-bytes', '64'] });
    const agent = await start('agent', { args: await joinArgs(gateway, 'strict') });
    await installAlerting(gateway.httpAddress, 'strict');
    await withNotifyClient(agent.grpcAddress, async (client) => {
      await client.notify({
        id: 'too-long',
        message: { title: 'long', body: 'x'.repeat(200), properties: { opni_severity: 'Warning' } },
      });
      await client.notify({ id: 'fine', message: { title: 'short', body: 'ok', properties: {} } });
    });
    await waitFor(async () => (await fetchAgentQueueCount(agent.httpAddress)) === 0, {
      timeoutMs: 20_000,
      description: 'the queue to empty (one resolved, one dead-lettered)',
    });
    const response = await fetch(`http://${agent.httpAddress}/api/v1/queue/dead-letters`, {
      headers: adminHeaders(agent.httpAddress),
    });
    const body = (await response.json()) as {
      total: number;
      deadLetters: { id: string; severity: string; reason: string }[];
    };
    expect(body.total).toBe(1);
    expect(body.deadLetters[0]).toMatchObject({ id: 'too-long', severity: 'Warning' });
    expect(body.deadLetters[0].reason).toMatch(/notification\.body.*at most 64/);
    expect((await fetchGatewayNotifications(gateway.httpAddress)).map((n) => n.id)).toEqual(['fine']);

    const agentMetrics = await scrapeMetrics(agent.httpAddress);
    expect(agentMetrics.value('agent_queue_dead_lettered_total', { severity: 'Warning' })).toBe(1);
    expect(agentMetrics.value('agent_pushes_total', { outcome: 'refused' })).toBe(1);
    const gatewayMetrics = await scrapeMetrics(gateway.httpAddress);
    expect(
      gatewayMetrics.value('gateway_notifications_total', {
        cluster: 'strict',
        outcome: 'rejected',
        severity: 'Warning',
      }),
    ).toBe(1);
    // Refused for good: nothing is pushed again after a reconnect.
    expect(agent.logs.filter((line) => line.event === 'queue-entry-dead-lettered')).toHaveLength(1);
  });
});
